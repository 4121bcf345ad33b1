# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.wave_entry: one cluster's entry of a registered eks_wave or eks_fleet_preflight result, kept on
the controller (store_entries) or in the result's clusters."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.lifecycle.eks.plugins.plugin_utils import wave_store

try:
    from ansible.template import trust_as_template  # noqa: F401  ansible-core 2.19+: a plugin's output is no template
    _wrap_var: Callable[[Any], Any] | None = None
except ImportError:  # ansible-core 2.17 and 2.18: marked unsafe, as a registered result is, so never templated
    from ansible.utils.unsafe_proxy import wrap_var

    _wrap_var = wrap_var


def wave_entry(result, name):
    """The entry of ``name`` (an inventory host name), or {} when the result has none for it."""
    if not isinstance(name, str) or not name:
        raise AnsibleFilterError("wave_entry needs the cluster's name (its inventory host name); got %r." % (name,))
    entry = wave_store.entry_of(result, name) or {}
    return _wrap_var(entry) if _wrap_var else entry


class FilterModule:
    def filters(self):
        return {"wave_entry": wave_entry}
