"""Bureau file layouts: one adapter per bureau and layout version behind one interface.

Every adapter takes the same per-debt facts (`AccountFacts`, computed once per run from the
books) and the run's header facts (`FileHeader`), and:

* `render(header, accounts) -> bytes`: the file, byte for byte as the bureau takes it;
* `parse(data) -> (FileHeader, list[AccountFacts])`: reads a file it wrote (round trips);
* `check(header, accounts) -> list[Finding]`: the pre-submission checks (for Metro 2, modelled
  on the CFPB's published evaluators); an `error` finding stops the run from generating.

`layout_for(bureau_code)` gives the adapter of a bureau (registered by each module below).
"""

from bureau.layouts.base import (
    AccountFacts,
    FileHeader,
    Finding,
    Layout,
    layout_for,
    layout_register,
    layouts,
)

__all__ = [
    "AccountFacts",
    "FileHeader",
    "Finding",
    "Layout",
    "layout_for",
    "layout_register",
    "layouts",
]
