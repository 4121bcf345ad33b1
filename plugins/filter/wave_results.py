# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.wave_entry: one cluster's entry of a registered eks_wave or eks_fleet_preflight result, kept on
the controller (store_entries) or in the result's clusters."""
from __future__ import annotations

from ansible import template
from ansible.errors import AnsibleFilterError

from ansible_collections.lifecycle.eks.plugins.plugin_utils import wave_store

# ansible-core 2.19+ templates a plugin's output only when it is trusted as a template. Before it (2.17, 2.18) the
# entry is marked unsafe, as a registered result is, so that it is never templated either.
MARK_UNSAFE = not hasattr(template, "trust_as_template")


def wave_entry(result, name):
    """The entry of ``name`` (an inventory host name), or {} when the result has none for it."""
    if not isinstance(name, str) or not name:
        raise AnsibleFilterError("wave_entry needs the cluster's name (its inventory host name); got %r." % (name,))
    entry = wave_store.entry_of(result, name) or {}
    if MARK_UNSAFE:
        from ansible.utils.unsafe_proxy import wrap_var

        return wrap_var(entry)
    return entry


class FilterModule:
    def filters(self):
        return {"wave_entry": wave_entry}
