"""Which Corefile lines are the discontinued `upstream` option, and that removing them changes nothing else."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils.coredns_corefile import has_upstream, without_upstream

BEFORE = ".:53 {\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n      pods insecure\n"
AFTER = "      fallthrough in-addr.arpa ip6.arpa\n    }\n    forward . /etc/resolv.conf\n}\n"


@pytest.mark.parametrize("line", [
    "      upstream\n",
    "\t\tupstream\n",                      # indented with tabs
    "  \t upstream\n",                     # spaces and tabs mixed
    "      upstream   \n",                 # trailing spaces
    "      upstream\t\n",                  # trailing tab
    "      upstream\r\n",                  # CRLF line end
    "upstream\n",                          # not indented
    "      upstream 10.0.0.2\n",           # with an address (ignored since CoreDNS 1.5, refused since 1.7)
    "      upstream 10.0.0.2:53 /etc/resolv.conf  \n",
    "      upstream # needed before 1.18\n",
])
def test_the_line_goes_and_nothing_else_changes(line):
    corefile = BEFORE + line + AFTER
    assert has_upstream(corefile)
    assert without_upstream(corefile) == BEFORE + AFTER


@pytest.mark.parametrize("last", ["      upstream", "      upstream  ", "\tupstream 10.0.0.2", "upstream"])
def test_a_last_line_without_a_newline(last):
    corefile = BEFORE + AFTER + last
    assert has_upstream(corefile)
    assert without_upstream(corefile) == BEFORE + AFTER


def test_every_upstream_line_goes():
    corefile = BEFORE + "      upstream\n" + AFTER + "example.org {\n    kubernetes {\n\tupstream\n    }\n}"
    assert without_upstream(corefile) == BEFORE + AFTER + "example.org {\n    kubernetes {\n    }\n}"


@pytest.mark.parametrize("line", [
    "      upstreams\n",                      # another word
    "      upstream_timeout 5s\n",
    "    forward . upstream.example.org\n",   # the word elsewhere on a line
    "      # upstream\n",                     # a comment
    "    upstream.example.org {\n",           # a server block named so
])
def test_other_lines_with_the_word_stay(line):
    corefile = BEFORE + line + AFTER
    assert not has_upstream(corefile)
    assert without_upstream(corefile) == corefile


def test_empty_and_no_upstream():
    assert without_upstream("") == ""
    assert not has_upstream(BEFORE + AFTER)
