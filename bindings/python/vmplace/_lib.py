"""Finding and loading libvmplace, and the one table that declares the C
functions this package calls.

Where the library comes from, in order:

1. the ``VMPLACE_LIBRARY`` environment variable, a path to the shared
   library (nothing else is tried when it is set: an explicit choice that
   fails must say so, not fall back silently);
2. a copy inside the package (``pip install`` puts one there when it builds
   the C library from the source tree);
3. the system: ``libvmplace.so.MAJOR.MINOR`` through the dynamic linker
   (``LD_LIBRARY_PATH``, ``ld.so.cache``), then ``ctypes.util.find_library``.

The library must have the major and minor version this package declares its
functions for (see ``_version.py``); anything else raises
:class:`~vmplace.errors.LibraryError` rather than risking a call through a
changed ABI.

Every function is declared with its ``argtypes`` and ``restype`` in
``_FUNCTIONS`` below, so ctypes converts and checks each argument instead of
guessing (a Python int passed where a ``double`` or ``size_t`` is expected,
a 64-bit pointer truncated to an ``int``).  Functions that later releases
add are listed in ``_OPTIONAL`` and bound only when the loaded library has
them; :meth:`Library.has` says whether it does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime
import math
import numbers
import operator
import os
import re
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int,
                    c_int32, c_int64, c_size_t, c_uint, c_uint32, c_uint64,
                    c_void_p)
from typing import (TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple,
                    Union)

from ._version import LIBRARY_VERSION, __version__
from .errors import (InvalidArgumentError, LibraryError, NotSupportedError,
                     RangeError, VmplaceError, error_from_code)

# ---- C types -------------------------------------------------------------


class ProblemT(Structure):
    """Opaque ``vmp_problem``."""


class SolutionT(Structure):
    """Opaque ``vmp_solution``."""


class ExplanationT(Structure):
    """Opaque ``vmp_explanation``."""


class ParamsT(Structure):
    """Opaque ``vmp_params``."""


class PlanT(Structure):
    """Opaque ``vmp_plan``."""


class HistoryT(Structure):
    """Opaque ``vmp_history``."""


class ForecastT(Structure):
    """Opaque ``vmp_forecast``."""


class UtilizationT(Structure):
    """Opaque ``vmp_utilization``."""


class AlertsT(Structure):
    """Opaque ``vmp_alerts``."""


class PlacerT(Structure):
    """Opaque ``vmp_placer``."""


ProblemP = POINTER(ProblemT)
SolutionP = POINTER(SolutionT)
ExplanationP = POINTER(ExplanationT)
ParamsP = POINTER(ParamsT)
PlanP = POINTER(PlanT)
HistoryP = POINTER(HistoryT)
ForecastP = POINTER(ForecastT)
UtilizationP = POINTER(UtilizationT)
AlertsP = POINTER(AlertsT)
PlacerP = POINTER(PlacerT)

#: ``VMP_NONE``: the size_t index that refers to nothing.
NONE = c_size_t(-1).value
SIZE_MAX = NONE

LOG_FN = CFUNCTYPE(None, c_int, c_char_p, c_void_p)


class Progress(Structure):
    """``vmp_progress`` (fields are only ever appended)."""

    #: ``VMP_PROGRESS_VERSION`` of the header these fields mirror; a
    #: newer library fills more, which are not read here.
    VERSION = 1

    _fields_ = [
        ("version", c_uint32),
        ("solver", c_char_p),
        ("elapsed", c_double),
        ("objective", c_double),
        ("bound", c_double),
        ("gap", c_double),
        ("iterations", c_uint64),
        ("placed", c_size_t),
        ("total", c_size_t),
    ]


PROGRESS_FN = CFUNCTYPE(c_int, POINTER(Progress), c_void_p)


class SolveOpts(Structure):
    """``vmp_solve_opts``, version 1.  Filled by ``vmp_solve_opts_init``."""

    #: ``VMP_SOLVE_OPTS_VERSION`` of the header these fields mirror: the
    #: library reads and writes no field beyond it.
    VERSION = 1
    INIT = "vmp_solve_opts_init"

    _fields_ = [
        ("version", c_uint32),
        ("solver", c_char_p),
        ("time_limit", c_double),
        ("seed", c_uint64),
        ("threads", c_uint32),
        ("log_level", c_int32),
        ("log", LOG_FN),
        ("log_userdata", c_void_p),
        ("progress", PROGRESS_FN),
        ("progress_userdata", c_void_p),
        ("progress_interval", c_double),
        ("params", ParamsP),
        ("incumbent", SolutionP),
    ]


# Option structs are filled by their *_init function before the fields the
# caller gives are set: the defaults live in the library only, so a newer
# library's defaults (and the fields it appends) need no change here.


class PlanOpts(Structure):
    """``vmp_plan_opts``, version 2.  Filled by ``vmp_plan_opts_init``."""

    #: ``VMP_PLAN_OPTS_VERSION`` of the header these fields mirror: the
    #: library reads and writes no field beyond it.
    VERSION = 2
    INIT = "vmp_plan_opts_init"

    _fields_ = [
        ("version", c_uint32),
        ("max_concurrent", c_uint32),
        ("bandwidth_mibps", c_double),
        ("staging", c_int32),
        ("allow_stop", c_int32),
    ]


class ForecastOpts(Structure):
    """``vmp_forecast_opts``, version 1.  Filled by
    ``vmp_forecast_opts_init``."""

    #: ``VMP_FORECAST_OPTS_VERSION`` of the header these fields mirror: the
    #: library reads and writes no field beyond it.
    VERSION = 1
    INIT = "vmp_forecast_opts_init"

    _fields_ = [
        ("version", c_uint32),
        ("horizon", c_double),
        ("quantile", c_double),
        ("daily_harmonics", c_uint32),
        ("weekly_harmonics", c_uint32),
        ("lags", c_uint32),
        ("trend", c_int32),
        ("trend_daily", c_int32),
        ("min_samples", c_uint32),
        ("min_span", c_double),
        ("min_r2", c_double),
        ("validate", c_int32),
    ]


class AlertThreshold(Structure):
    """``vmp_alert_threshold``: one resource's thresholds (NaN keeps the
    general one)."""

    _fields_ = [
        ("resource", c_char_p),
        ("warning", c_double),
        ("critical", c_double),
        ("underload", c_double),
    ]


class AlertOpts(Structure):
    """``vmp_alert_opts``, version 1.  Filled by ``vmp_alert_opts_init``."""

    #: ``VMP_ALERT_OPTS_VERSION`` of the header these fields mirror: the
    #: library reads and writes no field beyond it.
    VERSION = 1
    INIT = "vmp_alert_opts_init"

    _fields_ = [
        ("version", c_uint32),
        ("warning", c_double),
        ("critical", c_double),
        ("underload", c_double),
        ("window", c_double),
        ("resources", POINTER(AlertThreshold)),
        ("num_resources", c_size_t),
    ]


class Alert(Structure):
    """``vmp_alert``, allocated by the library and only read here (fields
    are only ever appended, so reading a prefix is safe)."""

    _fields_ = [
        ("host", c_char_p),
        ("resource", c_char_p),
        ("host_index", c_size_t),
        ("resource_index", c_size_t),
        ("kind", c_int),
        ("severity", c_int),
        ("threshold", c_double),
        ("value", c_double),
        ("since", c_int64),
        ("duration", c_double),
    ]


# ---- the function table --------------------------------------------------

_sz = c_size_t
_d = c_double
_s = c_char_p
_P, _S, _E, _PS = ProblemP, SolutionP, ExplanationP, ParamsP
_out_str = POINTER(c_void_p)        # char **: the caller frees with vmp_free
_out_cstr = POINTER(c_char_p)       # const char **: borrowed
_out_sz = POINTER(c_size_t)
_out_d = POINTER(c_double)

#: name -> (restype, argtypes), for every function of the C API that this
#: package calls.  The tests check each entry against the headers.
_FUNCTIONS: Dict[str, Tuple[Any, Sequence[Any]]] = {
    # errors.h
    "vmp_strerror": (_s, [c_int]),
    "vmp_err_name": (_s, [c_int]),
    "vmp_last_error": (_s, []),
    "vmp_clear_error": (None, []),
    "vmp_free": (None, [c_void_p]),
    # version.h
    "vmp_version_number": (c_uint, []),
    "vmp_version_string": (_s, []),
    "vmp_has_feature": (c_int, [_s]),
    # problem.h: life cycle and files
    "vmp_problem_new": (c_int, [POINTER(_P)]),
    "vmp_problem_free": (None, [_P]),
    "vmp_problem_clone": (c_int, [_P, POINTER(_P)]),
    "vmp_problem_read": (c_int, [_s, c_int, POINTER(_P)]),
    "vmp_problem_parse": (c_int, [_s, _sz, c_int, _s, POINTER(_P)]),
    "vmp_problem_to_json": (c_int, [_P, _out_str]),
    "vmp_problem_write": (c_int, [_P, _s]),
    # problem.h: resources
    "vmp_problem_add_resource": (c_int, [_P, _s, _out_sz]),
    "vmp_problem_num_resources": (_sz, [_P]),
    "vmp_problem_resource_name": (_s, [_P, _sz]),
    "vmp_problem_find_resource": (c_int, [_P, _s, _out_sz]),
    # problem.h: hosts
    "vmp_problem_add_host": (c_int, [_P, _s, POINTER(_d), _out_sz]),
    "vmp_problem_set_host_capacity": (c_int, [_P, _sz, _sz, _d]),
    "vmp_problem_set_host_overcommit": (c_int, [_P, _sz, _sz, _d]),
    "vmp_problem_set_host_reserved": (c_int, [_P, _sz, _sz, _d]),
    "vmp_problem_set_host_cost": (c_int, [_P, _sz, _d]),
    "vmp_problem_set_host_label": (c_int, [_P, _sz, _s, _s]),
    "vmp_problem_set_host_uri": (c_int, [_P, _sz, _s]),
    "vmp_problem_set_host_migration": (c_int, [_P, _sz, _s, _s, c_int]),
    "vmp_problem_set_host_maintenance": (c_int, [_P, _sz, c_int]),
    "vmp_problem_num_hosts": (_sz, [_P]),
    "vmp_problem_host_name": (_s, [_P, _sz]),
    "vmp_problem_find_host": (c_int, [_P, _s, _out_sz]),
    "vmp_problem_host_capacity": (_d, [_P, _sz, _sz]),
    "vmp_problem_host_overcommit": (_d, [_P, _sz, _sz]),
    "vmp_problem_host_reserved": (_d, [_P, _sz, _sz]),
    "vmp_problem_host_effective_capacity": (_d, [_P, _sz, _sz]),
    "vmp_problem_host_cost": (_d, [_P, _sz]),
    "vmp_problem_host_label": (_s, [_P, _sz, _s]),
    "vmp_problem_host_num_labels": (_sz, [_P, _sz]),
    "vmp_problem_host_label_at": (c_int, [_P, _sz, _sz, _out_cstr, _out_cstr]),
    "vmp_problem_host_uri": (_s, [_P, _sz]),
    "vmp_problem_host_migration": (c_int, [_P, _sz, _out_cstr, _out_cstr, POINTER(c_int)]),
    "vmp_problem_host_maintenance": (c_int, [_P, _sz]),
    # problem.h: VMs
    "vmp_problem_add_vm": (c_int, [_P, _s, POINTER(_d), _out_sz]),
    "vmp_problem_set_vm_demand": (c_int, [_P, _sz, _sz, _d]),
    "vmp_problem_set_vm_host": (c_int, [_P, _sz, _sz]),
    "vmp_problem_set_vm_label": (c_int, [_P, _sz, _s, _s]),
    "vmp_problem_set_vm_priority": (c_int, [_P, _sz, c_int32]),
    "vmp_problem_set_vm_migration_cost": (c_int, [_P, _sz, _d]),
    "vmp_problem_set_vm_allowed_hosts": (c_int, [_P, _sz, POINTER(_sz), _sz]),
    "vmp_problem_set_vm_pinned": (c_int, [_P, _sz, c_int]),
    "vmp_problem_num_vms": (_sz, [_P]),
    "vmp_problem_vm_name": (_s, [_P, _sz]),
    "vmp_problem_find_vm": (c_int, [_P, _s, _out_sz]),
    "vmp_problem_vm_demand": (_d, [_P, _sz, _sz]),
    "vmp_problem_vm_host": (_sz, [_P, _sz]),
    "vmp_problem_vm_label": (_s, [_P, _sz, _s]),
    "vmp_problem_vm_num_labels": (_sz, [_P, _sz]),
    "vmp_problem_vm_label_at": (c_int, [_P, _sz, _sz, _out_cstr, _out_cstr]),
    "vmp_problem_vm_priority": (c_int32, [_P, _sz]),
    "vmp_problem_vm_migration_cost": (_d, [_P, _sz]),
    "vmp_problem_vm_num_allowed_hosts": (_sz, [_P, _sz]),
    "vmp_problem_vm_allowed_host": (_sz, [_P, _sz, _sz]),
    "vmp_problem_vm_pinned": (c_int, [_P, _sz]),
    # problem.h: groups
    "vmp_problem_add_group": (c_int, [_P, _s, c_int, c_int, _s, POINTER(_sz),
                                      _sz, _out_sz]),
    "vmp_problem_set_group_weight": (c_int, [_P, _sz, _d]),
    "vmp_problem_set_group_all_or_nothing": (c_int, [_P, _sz, c_int]),
    "vmp_problem_group_all_or_nothing": (c_int, [_P, _sz]),
    "vmp_problem_num_groups": (_sz, [_P]),
    "vmp_problem_group_name": (_s, [_P, _sz]),
    "vmp_problem_group_policy": (c_int, [_P, _sz]),
    "vmp_problem_group_hard": (c_int, [_P, _sz]),
    "vmp_problem_group_scope": (_s, [_P, _sz]),
    "vmp_problem_group_weight": (_d, [_P, _sz]),
    "vmp_problem_group_num_vms": (_sz, [_P, _sz]),
    "vmp_problem_group_vm": (_sz, [_P, _sz, _sz]),
    # problem.h: rules and the objective
    "vmp_problem_add_rule": (c_int, [_P, _s, _s, _s, c_int, _out_sz]),
    "vmp_problem_set_rule_weight": (c_int, [_P, _sz, _d]),
    "vmp_problem_num_rules": (_sz, [_P]),
    "vmp_problem_rule_name": (_s, [_P, _sz]),
    "vmp_problem_rule_when": (_s, [_P, _sz]),
    "vmp_problem_rule_require": (_s, [_P, _sz]),
    "vmp_problem_rule_hard": (c_int, [_P, _sz]),
    "vmp_problem_rule_weight": (_d, [_P, _sz]),
    "vmp_problem_set_objective": (c_int, [_P, _s, _d]),
    "vmp_problem_get_objective": (c_int, [_P, _s, _out_d]),
    # rules.h
    "vmp_rule_check": (c_int, [_s, _out_sz]),
    # solution.h
    "vmp_status_name": (_s, [c_int]),
    "vmp_stop_reason_name": (_s, [c_int]),
    "vmp_solution_free": (None, [_S]),
    "vmp_evaluate": (c_int, [_P, POINTER(_sz), POINTER(_S)]),
    "vmp_evaluate_current": (c_int, [_P, POINTER(_S)]),
    "vmp_solution_read": (c_int, [_P, _s, POINTER(_S)]),
    "vmp_solution_parse": (c_int, [_P, _s, _sz, _s, POINTER(_S)]),
    "vmp_solution_status": (c_int, [_S]),
    "vmp_solution_stop_reason": (c_int, [_S]),
    "vmp_solution_solver": (_s, [_S]),
    "vmp_solution_objective": (_d, [_S]),
    "vmp_solution_bound": (_d, [_S]),
    "vmp_solution_gap": (_d, [_S]),
    "vmp_solution_time": (_d, [_S]),
    "vmp_solution_hosts_used": (_sz, [_S]),
    "vmp_solution_num_vms": (_sz, [_S]),
    "vmp_solution_vm_name": (_s, [_S, _sz]),
    "vmp_solution_vm_host": (_sz, [_S, _sz]),
    "vmp_solution_vm_host_name": (_s, [_S, _sz]),
    "vmp_solution_num_hosts": (_sz, [_S]),
    "vmp_solution_host_name": (_s, [_S, _sz]),
    "vmp_solution_num_unplaced": (_sz, [_S]),
    "vmp_solution_unplaced_vm": (_sz, [_S, _sz]),
    "vmp_solution_unplaced_reason": (_s, [_S, _sz]),
    "vmp_solution_num_violations": (_sz, [_S]),
    "vmp_solution_violation_at": (c_int, [_S, _sz, _out_cstr, _out_cstr,
                                       POINTER(c_int)]),
    "vmp_solution_num_terms": (_sz, [_S]),
    "vmp_solution_term_at": (c_int, [_S, _sz, _out_cstr, _out_d, _out_d]),
    "vmp_solution_score": (c_int, [_S, _s, _out_d, _out_d]),
    "vmp_solution_num_stats": (_sz, [_S]),
    "vmp_solution_stat_at": (c_int, [_S, _sz, _out_cstr, _out_d]),
    "vmp_solution_stat": (c_int, [_S, _s, _out_d]),
    "vmp_solution_to_json": (c_int, [_S, _out_str]),
    "vmp_solution_write": (c_int, [_S, _s]),
    # solution.h: explanations
    "vmp_explain": (c_int, [_P, _S, _sz, POINTER(_E)]),
    "vmp_explanation_free": (None, [_E]),
    "vmp_explanation_num_hosts": (_sz, [_E]),
    "vmp_explanation_host": (_s, [_E, _sz]),
    "vmp_explanation_fits": (c_int, [_E, _sz]),
    "vmp_explanation_num_reasons": (_sz, [_E, _sz]),
    "vmp_explanation_reason_at": (c_int, [_E, _sz, _sz, _out_cstr, _out_cstr]),
    "vmp_explanation_num_counts": (_sz, [_E]),
    "vmp_explanation_count_at": (c_int, [_E, _sz, _out_cstr, _out_sz]),
    "vmp_explanation_to_json": (c_int, [_E, _out_str]),
    "vmp_explanation_to_text": (c_int, [_E, _out_str]),
    # solve.h
    "vmp_params_new": (c_int, [POINTER(_PS)]),
    "vmp_params_free": (None, [_PS]),
    "vmp_params_set": (c_int, [_PS, _s, _s]),
    "vmp_params_set_number": (c_int, [_PS, _s, _d]),
    "vmp_params_get": (_s, [_PS, _s]),
    "vmp_num_params": (_sz, []),
    "vmp_param_at": (c_int, [_sz, _out_cstr, POINTER(c_int), _out_d, _out_d,
                               _out_cstr, _out_cstr]),
    "vmp_num_solvers": (_sz, []),
    "vmp_solver_name": (_s, [_sz]),
    "vmp_solver_summary": (_s, [_sz]),
    "vmp_solve_opts_init": (c_int, [POINTER(SolveOpts), c_uint32]),
    "vmp_solve": (c_int, [_P, POINTER(SolveOpts), POINTER(_S)]),
}

_PL, _H, _F, _U, _A = PlanP, HistoryP, ForecastP, UtilizationP, AlertsP
_i64 = c_int64

#: Functions of later parts of the API, by header.  Each part is declared in
#: the same way, and bound only when the loaded library exports every one of
#: its functions, so that this package still loads a library of its minor
#: version that
#: predates them; the classes that need a part call :meth:`Library.require`
#: first, which raises NotSupportedError naming what is missing.
_PARTS: Dict[str, Dict[str, Tuple[Any, Sequence[Any]]]] = {
    "reassign.h": {
        "vmp_problem_set_resource_transient": (c_int, [_P, _sz, c_int]),
        "vmp_problem_resource_transient": (c_int, [_P, _sz]),
        "vmp_problem_set_safety_fraction": (c_int, [_P, _sz, _d]),
        "vmp_problem_safety_fraction": (_d, [_P, _sz]),
        "vmp_problem_set_safety_weight": (c_int, [_P, _sz, _d]),
        "vmp_problem_safety_weight": (_d, [_P, _sz]),
        "vmp_problem_set_host_safety": (c_int, [_P, _sz, _sz, _d]),
        "vmp_problem_set_host_safety_fraction": (c_int, [_P, _sz, _sz, _d]),
        "vmp_problem_host_safety": (_d, [_P, _sz, _sz]),
        "vmp_problem_host_safety_fraction": (_d, [_P, _sz, _sz]),
        "vmp_problem_host_safety_capacity": (_d, [_P, _sz, _sz]),
        "vmp_problem_add_ratio_balance": (c_int, [_P, _sz, _sz, _d, _d, _out_sz]),
        "vmp_problem_num_ratio_balances": (_sz, [_P]),
        "vmp_problem_ratio_balance": (c_int, [_P, _sz, _out_sz, _out_sz, _out_d,
                                              _out_d]),
        "vmp_problem_set_group_min_domains": (c_int, [_P, _sz, _sz]),
        "vmp_problem_group_min_domains": (_sz, [_P, _sz]),
        "vmp_problem_add_dependency": (c_int, [_P, _sz, _sz, _s, _out_sz]),
        "vmp_problem_set_dependency_hard": (c_int, [_P, _sz, c_int]),
        "vmp_problem_set_dependency_weight": (c_int, [_P, _sz, _d]),
        "vmp_problem_num_dependencies": (_sz, [_P]),
        "vmp_problem_dependency": (c_int, [_P, _sz, _out_sz, _out_sz, _out_cstr,
                                           POINTER(c_int), _out_d]),
        "vmp_problem_set_host_move_costs": (c_int, [_P, POINTER(_sz), _sz,
                                                    POINTER(_d)]),
        "vmp_problem_set_host_move_matrix": (c_int, [_P, POINTER(_d)]),
        "vmp_problem_set_host_move_costs_by_label": (
            c_int, [_P, _s, _sz, POINTER(c_char_p), POINTER(c_char_p),
                    POINTER(_d), _d]),
        "vmp_problem_host_move_label": (_s, [_P, _out_d]),
        "vmp_problem_host_move_cost": (_d, [_P, _sz, _sz]),
        "vmp_problem_num_host_move_classes": (_sz, [_P]),
        "vmp_problem_host_move_class": (_sz, [_P, _sz]),
        "vmp_problem_host_move_class_cost": (_d, [_P, _sz, _sz]),
        "vmp_problem_read_roadef": (c_int, [_s, _s, POINTER(_P)]),
        "vmp_solution_to_roadef": (c_int, [_S, _out_str]),
        "vmp_solution_write_roadef": (c_int, [_S, _s]),
        "vmp_solution_read_roadef": (c_int, [_P, _s, POINTER(_S)]),
    },
    "plan.h": {
        "vmp_plan_opts_init": (c_int, [POINTER(PlanOpts), c_uint32]),
        "vmp_plan_new": (c_int, [_P, _S, POINTER(PlanOpts), POINTER(_PL)]),
        "vmp_plan_free": (None, [_PL]),
        "vmp_plan_status_name": (_s, [c_int]),
        "vmp_plan_action_name": (_s, [c_int]),
        "vmp_plan_status": (c_int, [_PL]),
        "vmp_plan_max_concurrent": (c_uint32, [_PL]),
        "vmp_plan_bandwidth": (_d, [_PL]),
        "vmp_plan_duration": (_d, [_PL]),
        "vmp_plan_num_hosts": (_sz, [_PL]),
        "vmp_plan_host_name": (_s, [_PL, _sz]),
        "vmp_plan_host_uri": (_s, [_PL, _sz]),
        "vmp_plan_host_migration": (c_int, [_PL, _sz, _out_cstr, _out_cstr, POINTER(c_int)]),
        "vmp_plan_num_waves": (_sz, [_PL]),
        "vmp_plan_wave_duration": (_d, [_PL, _sz]),
        "vmp_plan_num_steps": (_sz, [_PL]),
        "vmp_plan_step_vm": (_s, [_PL, _sz]),
        "vmp_plan_step_from": (_s, [_PL, _sz]),
        "vmp_plan_step_to": (_s, [_PL, _sz]),
        "vmp_plan_step_from_host": (_sz, [_PL, _sz]),
        "vmp_plan_step_to_host": (_sz, [_PL, _sz]),
        "vmp_plan_step_wave": (_sz, [_PL, _sz]),
        "vmp_plan_step_action": (c_int, [_PL, _sz]),
        "vmp_plan_step_staging": (c_int, [_PL, _sz]),
        "vmp_plan_step_makes_room_for": (_s, [_PL, _sz]),
        "vmp_plan_step_memory": (_d, [_PL, _sz]),
        "vmp_plan_num_blocked": (_sz, [_PL]),
        "vmp_plan_blocked_vm": (_s, [_PL, _sz]),
        "vmp_plan_blocked_from": (_s, [_PL, _sz]),
        "vmp_plan_blocked_to": (_s, [_PL, _sz]),
        "vmp_plan_blocked_reason": (_s, [_PL, _sz]),
        "vmp_plan_verify": (c_int, [_PL, _P, _S]),
        "vmp_solution_prune_moves": (c_int, [_P, _S, _sz, POINTER(_S)]),
        "vmp_plan_to_json": (c_int, [_PL, _out_str]),
        "vmp_plan_write": (c_int, [_PL, _s]),
        "vmp_plan_read": (c_int, [_s, POINTER(_PL)]),
        "vmp_plan_parse": (c_int, [_s, _sz, _s, POINTER(_PL)]),
    },
    "history.h": {
        "vmp_history_new": (c_int, [POINTER(_H)]),
        "vmp_history_free": (None, [_H]),
        "vmp_history_read": (c_int, [_s, c_int, POINTER(_H)]),
        "vmp_history_parse": (c_int, [_s, _sz, c_int, _s, POINTER(_H)]),
        "vmp_history_add": (c_int, [_H, _s, _s, _i64, _d]),
        "vmp_history_num_series": (_sz, [_H]),
        "vmp_history_series_vm": (_s, [_H, _sz]),
        "vmp_history_series_resource": (_s, [_H, _sz]),
        "vmp_history_series_len": (_sz, [_H, _sz]),
        "vmp_history_series_point_at": (c_int, [_H, _sz, _sz, POINTER(_i64),
                                             _out_d]),
        "vmp_history_series_step": (_i64, [_H, _sz]),
        "vmp_history_find": (c_int, [_H, _s, _s, _out_sz]),
    },
    "forecast.h": {
        "vmp_forecast_opts_init": (c_int, [POINTER(ForecastOpts), c_uint32]),
        "vmp_history_forecast": (c_int, [_H, POINTER(ForecastOpts),
                                         POINTER(_F)]),
        "vmp_forecast_free": (None, [_F]),
        "vmp_forecast_quantile": (_d, [_F]),
        "vmp_forecast_horizon": (_d, [_F]),
        "vmp_forecast_num_series": (_sz, [_F]),
        "vmp_forecast_find": (c_int, [_F, _s, _s, _out_sz]),
        "vmp_forecast_series_vm": (_s, [_F, _sz]),
        "vmp_forecast_series_resource": (_s, [_F, _sz]),
        "vmp_forecast_series_value": (_d, [_F, _sz]),
        "vmp_forecast_series_model": (c_int, [_F, _sz]),
        "vmp_forecast_model_name": (_s, [c_int]),
        "vmp_forecast_series_reason": (_s, [_F, _sz]),
        "vmp_forecast_series_r2": (_d, [_F, _sz]),
        "vmp_forecast_series_samples": (_sz, [_F, _sz]),
        "vmp_forecast_series_step": (_i64, [_F, _sz]),
        "vmp_forecast_series_num_points": (_sz, [_F, _sz]),
        "vmp_forecast_series_point_at": (c_int, [_F, _sz, _sz, POINTER(_i64),
                                              _out_d]),
        "vmp_forecast_series_num_terms": (_sz, [_F, _sz]),
        "vmp_forecast_series_term_at": (c_int, [_F, _sz, _sz, _out_cstr, _out_d]),
        "vmp_forecast_series_rank": (_sz, [_F, _sz]),
        "vmp_forecast_to_json": (c_int, [_F, _out_str]),
        "vmp_forecast_rightsize": (c_int, [_F, _P, c_uint32, POINTER(_P)]),
    },
    "utilization.h": {
        # host utilisation
        "vmp_utilization_from_placement": (c_int, [_P, _S, POINTER(_U)]),
        "vmp_utilization_from_history": (c_int, [_P, _S, _H, _i64,
                                                 POINTER(_U)]),
        "vmp_utilization_from_forecast": (c_int, [_P, _S, _F, _i64,
                                                  POINTER(_U)]),
        "vmp_utilization_free": (None, [_U]),
        "vmp_utilization_source": (c_int, [_U]),
        "vmp_utilization_source_name": (_s, [c_int]),
        "vmp_utilization_num_hosts": (_sz, [_U]),
        "vmp_utilization_host_name": (_s, [_U, _sz]),
        "vmp_utilization_num_resources": (_sz, [_U]),
        "vmp_utilization_resource_name": (_s, [_U, _sz]),
        "vmp_utilization_num_times": (_sz, [_U]),
        "vmp_utilization_time": (_i64, [_U, _sz]),
        "vmp_utilization_step": (_i64, [_U]),
        "vmp_utilization_load": (_d, [_U, _sz, _sz, _sz]),
        "vmp_utilization_capacity": (_d, [_U, _sz, _sz]),
        "vmp_utilization_ratio": (_d, [_U, _sz, _sz, _sz]),
        "vmp_utilization_host_num_vms": (_sz, [_U, _sz]),
        "vmp_utilization_num_unmatched": (_sz, [_U]),
        "vmp_utilization_num_unobserved": (_sz, [_U]),
        # alerts and metrics
        "vmp_alert_opts_init": (c_int, [POINTER(AlertOpts), c_uint32]),
        "vmp_utilization_alerts": (c_int, [_U, POINTER(AlertOpts),
                                           POINTER(_A)]),
        "vmp_alerts_free": (None, [_A]),
        "vmp_alerts_num_alerts": (_sz, [_A]),
        "vmp_alerts_alert_at": (POINTER(Alert), [_A, _sz]),
        "vmp_alerts_max_severity": (c_int, [_A]),
        "vmp_alert_kind_name": (_s, [c_int]),
        "vmp_severity_name": (_s, [c_int]),
        "vmp_alerts_to_json": (c_int, [_A, _out_str]),
        "vmp_utilization_to_prometheus": (c_int, [_U, _A, _out_str]),
    },
    "solve.h": {
        "vmp_write_model": (c_int, [_P, POINTER(SolveOpts), _s, c_int]),
    },
    "place.h": {
        "vmp_placer_new": (c_int, [_P, POINTER(SolveOpts), POINTER(PlacerP)]),
        "vmp_place": (c_int, [PlacerP, _sz, _out_sz]),
        "vmp_placer_remove": (c_int, [PlacerP, _sz]),
        "vmp_placer_solution": (c_int, [PlacerP, POINTER(_S)]),
        "vmp_placer_free": (None, [PlacerP]),
        "vmp_placer_add_vm": (c_int, [PlacerP, _s, POINTER(_d), POINTER(_s),
                                      POINTER(_s), _sz, _out_sz, _out_sz]),
        "vmp_placer_remove_vm": (c_int, [PlacerP, _s]),
        "vmp_placer_set_host_maintenance": (c_int, [PlacerP, _sz, c_int]),
        "vmp_placer_find_vm": (c_int, [PlacerP, _s, _out_sz]),
        "vmp_placer_num_vms": (_sz, [PlacerP]),
        "vmp_placer_vm_name": (_s, [PlacerP, _sz]),
        "vmp_placer_vm_host": (_sz, [PlacerP, _sz]),
    },
    "solution.h": {
        "vmp_solution_violation_detail": (c_int, [_S, _sz, _out_sz, _out_sz,
                                                  _out_cstr, _out_cstr, _out_d,
                                                  _out_sz]),
        "vmp_solution_violation_vm": (_sz, [_S, _sz, _sz]),
    },
}

#: Every function of :data:`_PARTS`, by name.
_OPTIONAL: Dict[str, Tuple[Any, Sequence[Any]]] = {
    name: signature for part in _PARTS.values()
    for name, signature in part.items()
}


class Library:
    """libvmplace, loaded, with every function of ``_FUNCTIONS`` (and those
    of ``_OPTIONAL`` it has) declared and available as an attribute.

    Attributes:
        path: what was loaded: a file path, or the name the dynamic linker
            resolved.
        how: where it was found: ``"VMPLACE_LIBRARY"``, ``"package"`` or
            ``"system"``.
        version: the library's version string, e.g. ``"0.2.0"``.
    """

    def __init__(self, cdll: ctypes.CDLL, path: str, how: str,
                 expected: Tuple[int, int] = LIBRARY_VERSION) -> None:
        self.path = path
        self.how = how
        self._cdll = cdll
        self._optional: Dict[str, bool] = {}
        if not hasattr(cdll, "vmp_version_number"):
            raise LibraryError(f"{path} is not libvmplace: it has no "
                               "vmp_version_number")
        self._declare("vmp_version_number", _FUNCTIONS["vmp_version_number"])
        number = int(self.vmp_version_number())
        major, minor, patch = number // 10000, number // 100 % 100, number % 100
        self.version = f"{major}.{minor}.{patch}"
        if (major, minor) != tuple(expected):
            raise LibraryError(
                f"{path} is libvmplace {self.version}; this vmplace package "
                f"({__version__}) needs libvmplace {expected[0]}.{expected[1]}.x "
                "(install the matching library, or point VMPLACE_LIBRARY at it)")
        missing = [name for name in _FUNCTIONS if not hasattr(cdll, name)]
        if missing:
            raise LibraryError(f"{path} lacks functions of libvmplace "
                               f"{self.version}: {', '.join(missing)}")
        for name, signature in _FUNCTIONS.items():
            self._declare(name, signature)
        for functions in _PARTS.values():
            # all or nothing: a part half present is a library this package
            # does not know, and its functions are left alone
            present = all(hasattr(cdll, name) for name in functions)
            for name, signature in functions.items():
                self._optional[name] = present
                if present:
                    self._declare(name, signature)

    def _declare(self, name: str, signature: Tuple[Any, Sequence[Any]]) -> None:
        fn = getattr(self._cdll, name)
        fn.restype, fn.argtypes = signature[0], list(signature[1])
        setattr(self, name, fn)

    def has(self, name: str) -> bool:
        """Whether the C function ``name`` is declared and available."""
        return name in _FUNCTIONS or self._optional.get(name, False)

    def require(self, part: str, feature: str) -> None:
        """Checks that the library has a part of the API (a key of
        ``_PARTS``, e.g. ``"plan.h"``).

        Args:
            part: the header.
            feature: what the caller wanted, for the message
                (``"migration plans"``).

        Raises:
            NotSupportedError: the library predates that part.
        """
        functions = _PARTS[part]
        if all(self._optional.get(name, False) for name in functions):
            return
        missing = ([name for name in functions if not hasattr(self._cdll, name)]
                   or [name for name in functions if not self._optional.get(name)])
        raise NotSupportedError(
            f"{feature}: {self.path} (libvmplace {self.version}) lacks "
            f"functions of {part} ({', '.join(missing[:3])}"
            f"{', ...' if len(missing) > 3 else ''}); install a newer "
            f"libvmplace {LIBRARY_VERSION[0]}.{LIBRARY_VERSION[1]}")

    if TYPE_CHECKING:  # the C functions are set as attributes at run time
        def __getattr__(self, name: str) -> Any: ...


def _package_candidates(major: int, minor: int) -> List[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    names = [f"libvmplace.so.{major}.{minor}", "libvmplace.so",
             f"libvmplace.{major}.{minor}.dylib", "libvmplace.dylib",
             "vmplace.dll"]
    return [os.path.join(here, n) for n in names
            if os.path.exists(os.path.join(here, n))]


def _system_candidates(major: int, minor: int) -> List[str]:
    names = []
    if sys.platform.startswith("linux") or sys.platform.startswith("freebsd"):
        names.append(f"libvmplace.so.{major}.{minor}")
    found = ctypes.util.find_library("vmplace")
    if found and found not in names:
        names.append(found)
    return names


def load_library(path: Optional[str] = None,
                 expected: Tuple[int, int] = LIBRARY_VERSION) -> Library:
    """Loads libvmplace.

    Args:
        path: a file to load; ``None`` searches as the module documentation
            says (``VMPLACE_LIBRARY``, the package, the system).
        expected: the (major, minor) version required.

    Returns:
        The loaded :class:`Library`.

    Raises:
        LibraryError: nothing could be loaded (the message lists every place
            tried and why it failed), or what was loaded is not the expected
            version of libvmplace.
    """
    major, minor = expected
    if path is not None:
        candidates = [(path, "argument")]
    elif os.environ.get("VMPLACE_LIBRARY"):
        candidates = [(os.environ["VMPLACE_LIBRARY"], "VMPLACE_LIBRARY")]
    else:
        candidates = ([(p, "package") for p in _package_candidates(major, minor)]
                      + [(n, "system") for n in _system_candidates(major, minor)])
    tried = []
    for candidate, how in candidates:
        try:
            cdll = ctypes.CDLL(candidate)
        except OSError as exc:
            tried.append(f"{candidate} ({how}): {exc}")
            continue
        return Library(cdll, candidate, how, expected)
    detail = "\n  ".join(tried) if tried else "no candidate found"
    raise LibraryError(
        "cannot load libvmplace " f"{major}.{minor}; tried:\n  {detail}\n"
        "Install libvmplace (cmake --install), reinstall this package from the "
        "vmplace source tree so that it builds its own copy, or set "
        "VMPLACE_LIBRARY to the path of libvmplace.so.")


lib: Library = load_library()

# ---- calling helpers -----------------------------------------------------


def text(value: Optional[bytes]) -> str:
    """A string the library returned, as str ("" for NULL).  Names that did
    not come from valid UTF-8 never make this raise."""
    return value.decode("utf-8", "replace") if value is not None else ""


def opt_text(value: Optional[bytes]) -> Optional[str]:
    """As :func:`text`, but NULL stays ``None``."""
    return value.decode("utf-8", "replace") if value is not None else None


def error(rc: int, context: Optional[str] = None) -> VmplaceError:
    """The exception for a failed call.  Must be called right after the
    call, on the same thread, before any other vmplace call: the detail
    message is per thread and the next call may replace it."""
    detail = text(lib.vmp_last_error()) or text(lib.vmp_strerror(rc))
    message = f"{context}: {detail}" if context else detail
    return error_from_code(rc, message, text(lib.vmp_err_name(rc)))


def check(rc: int, context: Optional[str] = None) -> None:
    """Raises the matching :class:`~vmplace.errors.VmplaceError` when a C call
    returned a negative code."""
    if rc < 0:
        raise error(rc, context)


def new_opts(cls: Any) -> Any:
    """A new option struct of type ``cls`` (``SolveOpts``, ...) holding the
    library's defaults.  The library is told the version the mirror was
    written for (``cls.VERSION``), so it writes no byte past the mirror."""
    opts = cls()
    check(getattr(lib, cls.INIT)(ctypes.byref(opts), cls.VERSION), cls.INIT)
    return opts


def take_string(ptr: c_void_p) -> str:
    """Copies a string the library allocated for the caller, then frees it."""
    try:
        return text(ctypes.string_at(ptr.value)) if ptr.value else ""
    finally:
        lib.vmp_free(ptr)


# ---- argument checks -----------------------------------------------------
#
# Every value is checked before it reaches C: ctypes would otherwise turn
# None into NULL, truncate a str at its first NUL, wrap an int that does not
# fit, and accept True as 1.

MAX_NAME = 4096   # VMP__MAX_NAME: names, label keys and values, in bytes


def to_data(data: object) -> bytes:
    """Input text for a parser: a str as UTF-8 (lone surrogates kept, so
    the library's reader reports them with a position), or any bytes-like
    object as is.

    Raises:
        TypeError: neither str nor bytes-like.
    """
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"data: expected str or bytes, got {type(data).__name__}")


def check_instance(value: object, cls: type, what: str,
                   optional: bool = False) -> None:
    """Raises TypeError "what: expected a vmplace.Problem, got int" unless
    value is a cls (or None, when optional)."""
    if (value is None and optional) or isinstance(value, cls):
        return
    raise TypeError(f"{what}: expected a vmplace.{cls.__name__}, got "
                    f"{type(value).__name__}")


def to_bytes(value: object, what: str) -> bytes:
    """A str argument as UTF-8 bytes for C.

    Raises:
        TypeError: not a str.
        InvalidArgumentError: it holds a NUL character or cannot be encoded.
    """
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected a str, got {type(value).__name__}")
    if "\0" in value:
        raise InvalidArgumentError(f"{what}: contains a NUL character")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidArgumentError(f"{what}: not encodable as UTF-8 "
                                   f"({exc.reason})") from None


def to_name(value: object, what: str) -> bytes:
    """As :func:`to_bytes`, and checked like the library checks names: not
    empty, at most 4096 bytes, no control characters.  Used where the C call
    comes after an object was already added, so that a bad value cannot
    leave it half configured."""
    data = to_bytes(value, what)
    if not data:
        raise InvalidArgumentError(f"{what}: is empty")
    if len(data) > MAX_NAME:
        raise InvalidArgumentError(f"{what}: is longer than {MAX_NAME} bytes")
    for k, byte in enumerate(data):
        if byte < 0x20 or byte == 0x7F:
            raise InvalidArgumentError(
                f"{what}: contains a control character at byte {k}")
    return data


def to_path(value: object, what: str = "path") -> bytes:
    """A file path (str, bytes or os.PathLike) as bytes for C."""
    if not isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(f"{what}: expected a path (str or os.PathLike), got "
                        f"{type(value).__name__}")
    data = os.fsencode(value)
    if b"\0" in data:
        raise InvalidArgumentError(f"{what}: contains a NUL character")
    if not data:
        raise InvalidArgumentError(f"{what}: is empty")
    return data


def to_float(value: object, what: str) -> float:
    """A real number (int, float, or any numbers.Real except bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what}: expected a number, got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        raise RangeError(f"{what}: expected a finite number, got {value}") from None


# The accepted range of every number of the model (docs/formats.md,
# "Numbers"; VMP_MAX_QUANTITY and friends in vmplace/problem.h).
MAX_QUANTITY = 1e15     # capacity, reserved, demand, migration_cost
MIN_CAPACITY = 1e-6     # smallest capacity other than 0
MIN_OVERCOMMIT = 1e-3
MAX_OVERCOMMIT = 1e3
MAX_WEIGHT = 1e9        # host cost, group and rule weights, objective weights


def to_number(value: object, what: str, minimum: float = 0.0,
              strict: bool = False, maximum: float = math.inf) -> float:
    """A finite number >= minimum (> minimum when strict) and <= maximum,
    checked the way the library checks it."""
    x = to_float(value, what)
    if not math.isfinite(x):
        raise RangeError(f"{what}: expected a finite number, got {x}")
    if x < minimum or (strict and x == minimum):
        op = ">" if strict else ">="
        raise RangeError(f"{what}: expected a number {op} {minimum:g}, got {x:g}")
    if x > maximum:
        top = re.sub(r"e\+?0*(\d)", r"e\1", f"{maximum:g}")   # 1e15, like C
        raise RangeError(f"{what}: expected a number <= {top}, got {x:g}")
    return x


def to_int(value: object, what: str, lo: int, hi: int) -> int:
    """An integer (int or any type with __index__, except bool) in
    lo..hi."""
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected an integer, got bool")
    try:
        n = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{what}: expected an integer, got "
                        f"{type(value).__name__}") from None
    if not lo <= n <= hi:
        raise RangeError(f"{what}: expected an integer in {lo}..{hi}, got {n}")
    return n


def to_bool(value: object, what: str) -> bool:
    """A flag: bool, or an integer 0 or 1.  Strings are refused: "false"
    would otherwise be true."""
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return bool(value)
    raise TypeError(f"{what}: expected a bool, got {type(value).__name__}")


def to_seconds(value: object, what: str) -> float:
    """A duration: seconds (a number) or a :class:`datetime.timedelta`.
    Its range is the library's to check."""
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    try:
        return to_float(value, what)
    except TypeError:
        raise TypeError(f"{what}: expected seconds or a timedelta, got "
                        f"{type(value).__name__}") from None


def to_timestamp(value: object, what: str) -> int:
    """A point in time as Unix seconds: an integer, a real number (rounded
    to the nearest second, halves away from zero, as the history readers
    round), or a :class:`datetime.datetime` (naive ones are UTC, as in
    history files)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        micro = (value - epoch) // datetime.timedelta(microseconds=1)
        whole, rest = divmod(abs(micro), 1000000)
        whole += rest >= 500000
        return whole if micro >= 0 else -whole
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return to_int(value, what, -2**63, 2**63 - 1)
    try:
        x = to_float(value, what)
    except TypeError:
        raise TypeError(f"{what}: expected Unix seconds or a datetime, got "
                        f"{type(value).__name__}") from None
    if not math.isfinite(x) or abs(x) >= 2.0**63:
        raise RangeError(f"{what}: expected Unix seconds, got {x}")
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


StrPath = Union[str, "os.PathLike[str]"]
