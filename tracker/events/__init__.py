"""Events: the linker that joins documents about one policy action (see linker.py), with one
module per kind of evidence (groups, identifiers, releases, rules, reactions)."""

from .linker import LINKER_VERSION, LinkReport, link_documents, link_pending, relink_all

__all__ = ["LINKER_VERSION", "LinkReport", "link_documents", "link_pending", "relink_all"]
