"""The reviewing-authority rule on every shape the Hainan tree has."""
import pytest
from sqlalchemy import select

from models import Org, db
from orgs.authority import managing_school, reviewing_authority


def org(code):
    return db.session.scalars(select(Org).where(Org.code == code)).one()


@pytest.mark.parametrize("school, authority, shape", [
    ("2146000001", "460105", "district under a city (秀英区)"),
    ("2146000004", "460106", "district under a city (龙华区)"),
    ("3446000026", "460100", "city-run school (海口市属)"),
    ("3446000027", "3446000027", "province-run school reviews its own"),
    ("2146000073", "460300", "三沙: school directly under a city with no districts"),
    ("2146000074", "460400", "儋州: school directly under a city with no districts"),
    ("TP214600000101", "460105", "teaching point: its central school's authority"),
])
def test_reviewing_authority(hainan, school, authority, shape):
    assert reviewing_authority(org(school)).code == authority, shape


def test_county_under_province(hainan):
    schools = db.session.scalars(select(Org).where(Org.kind == "school")).all()
    qionghai = [s for s in schools if s.parent and s.parent.code == "469002"]
    assert qionghai, "the sample tree has schools under 琼海市 (county-level, under the province)"
    for s in qionghai:
        assert reviewing_authority(s).code == "469002"


def test_teaching_point_belongs_to_central_school(hainan):
    tp = org("TP214600000101")
    assert managing_school(tp).code == "2146000001"
    assert tp.legal_entity is False


def test_import_is_idempotent_and_counts(hainan):
    from orgs.importer import import_orgs_file
    from tests.conftest import DATA
    result = import_orgs_file(DATA / "hainan_orgs.csv")
    assert result.created == 0 and result.updated == 210
    assert db.session.query(Org).count() == 210
    yangpu = org("469400")
    assert yangpu.parent.code == "460000" and yangpu.kind == "county"


def test_bad_org_file_imports_nothing(app, tmp_path):
    from orgs.importer import OrgImportError, import_orgs_file
    bad = tmp_path / "orgs.csv"
    bad.write_text("code,name,kind,parent,school_type,legal_entity,division\n"
                   "460000,海南省,province,,,是,460000\n"
                   "460100,海口市教育局,city,460000,,是,460100\n"
                   "2146009999,某小学,school,999999,21,是,\n"
                   "460101,某局,town,460000,,是,\n", encoding="utf-8")
    with pytest.raises(OrgImportError) as err:
        import_orgs_file(bad)
    text = "\n".join(err.value.problems)
    assert "第4行【parent】" in text and "999999" in text
    assert "第5行【kind】" in text and "town" in text
    assert db.session.query(Org).count() == 0
