"""Colombia's and Mexico's bureaus: each a declared layout file under bureau/layouts/files/.

Their record layouts come with each subscriber's contract, so the files here are samples of the
fields these bureaus carry (see the "note" in each file and docs/bureau_layouts.md). Adding a
bureau is adding its layout file (with its code tables) and a line below.
"""

from pathlib import Path

from bureau.layouts.base import layout_register
from bureau.layouts.declared import DeclaredLayout, LayoutError
from bureau.models import Bureau

FILES = Path(__file__).resolve().parent / "files"

LATAM_FILES = {
    Bureau.DATACREDITO: "datacredito_co.json",
    Bureau.TRANSUNION_CO: "transunion_co.json",
    Bureau.BURO: "buro_mx.json",
    Bureau.CIRCULO: "circulo_mx.json",
}


def latam_layout_load(bureau: Bureau) -> DeclaredLayout:
    layout = DeclaredLayout.from_file(FILES / LATAM_FILES[bureau])
    if layout.bureau != bureau.value:
        # A file copied from another bureau's and not renamed inside would report under the
        # wrong bureau's codes: refuse it at start-up.
        raise LayoutError(f"{LATAM_FILES[bureau]}: declares bureau {layout.bureau!r}, not {bureau}")
    return layout


for _bureau in LATAM_FILES:
    layout_register(latam_layout_load(_bureau))
