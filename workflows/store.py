"""Serialising specs and instance states.

A deployed version's spec is serialised once (ProcessDefinition.spec_json) and restored once
per process (`SpecCache`). An instance's state is one JSON text *without* the spec: the
workflow converter is replaced by one that leaves the spec out on save and takes the
already-restored spec objects on restore. Task specs are referred to by name, so deployed
versions must stay immutable (they are: a changed diagram is a new version).

The restricted script engine is set on every restored workflow (Spiff does not keep it).

Not here: which rows hold these texts and when they are written (instances.py).
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
import threading
from dataclasses import dataclass
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .scripting import ENGINE

STATE_FORMAT = f"spiff-{VERSION}-nospec-1"


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """BpmnWorkflow <-> dict, leaving the spec and subprocess specs out."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)  # WorkflowConverter: tasks, data, ...
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        if spec is None:
            raise ValueError("restoring an instance needs its deployed spec")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _registry(config):
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(dt.date, lambda v: {"value": v.isoformat()}, lambda v: dt.date.fromisoformat(v["value"]),
                      typename="date")
    registry.register(decimal.Decimal, lambda v: {"value": str(v)}, lambda v: decimal.Decimal(v["value"]),
                      typename="Decimal")
    return registry


def _specless_config():
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    return config


class _Codec:
    """One per thread: Spiff's registry keeps a mode flag while encoding."""

    def __init__(self):
        self.registry = _registry(_specless_config())
        self.encoder = create_encoder(self.registry)


_local = threading.local()


def _codec() -> _Codec:
    codec = getattr(_local, "codec", None)
    if codec is None:
        codec = _local.codec = _Codec()
    return codec


# ----------------------------------------------------------------------------- specs

def dump_spec(spec, subprocess_specs: dict) -> str:
    registry = _codec().registry
    return json.dumps({
        "format": STATE_FORMAT,
        "spec": registry.convert(spec),
        "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()},
    }, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class DeployedSpec:
    spec: object
    subprocess_specs: dict


def load_spec(spec_json: str) -> DeployedSpec:
    dct = json.loads(spec_json)
    registry = _codec().registry
    return DeployedSpec(
        registry.restore(dct["spec"]),
        {name: registry.restore(s) for name, s in dct.get("subprocess_specs", {}).items()},
    )


class SpecCache:
    """Restored specs by content hash (immutable), so a different database with reused ids is safe."""

    def __init__(self):
        self._by_hash: dict[str, DeployedSpec] = {}
        self._lock = threading.Lock()

    def get(self, content_hash: str, fetch_json) -> DeployedSpec:
        found = self._by_hash.get(content_hash)
        if found is None:
            found = load_spec(fetch_json())
            with self._lock:
                found = self._by_hash.setdefault(content_hash, found)
        return found

    def put(self, content_hash: str, deployed: DeployedSpec) -> None:
        with self._lock:
            self._by_hash.setdefault(content_hash, deployed)


SPECS = SpecCache()


# ----------------------------------------------------------------------------- instances

def new_workflow(deployed: DeployedSpec) -> BpmnWorkflow:
    return BpmnWorkflow(deployed.spec, deployed.subprocess_specs, script_engine=ENGINE)


def dump_state(workflow: BpmnWorkflow) -> str:
    codec = _codec()
    registry = codec.registry
    registry._encoder_mode = True  # let the JSON encoder convert data values lazily (as Spiff does)
    try:
        dct = registry.convert(workflow)
    finally:
        registry._encoder_mode = False
    dct["format"] = STATE_FORMAT
    return json.dumps(dct, cls=codec.encoder, separators=(",", ":"))


def load_state(state: str, deployed: DeployedSpec) -> BpmnWorkflow:
    dct = json.loads(state)
    fmt = dct.pop("format", None)
    if fmt != STATE_FORMAT:
        raise ValueError(f"unknown instance state format {fmt!r}")
    workflow = _codec().registry.restore(dct, spec=deployed.spec, subprocess_specs=deployed.subprocess_specs)
    workflow.script_engine = ENGINE
    return workflow
