#!/usr/bin/env bash
# Development helper while no database outside this repo exists: rebuild 0001 from the models.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f migrations/versions/0001_initial_schema.py /tmp/regen.db
.venv/bin/python -c "
from alembic import command
from models.migrate import alembic_config
command.revision(alembic_config('sqlite:////tmp/regen.db'), message='initial schema', autogenerate=True, rev_id='0001')
" >/dev/null
