"""Which debtors a changed file touches, from its lines and those of the last file applied.

A creditor's next file is mostly the last one again. The valid lines of each debtor, in file
order, are compared with those of the creditor's last completed import (its stored file and
row errors): a debtor whose valid lines are byte for byte the same, in the same order, would
come out of the compare-and-update path unchanged, so only the other debtors' rows are
staged and compared. Anything that keeps lines and rows from lining up one to one (a record
spanning lines, a blank line, another header) makes this answer "don't know", and the whole
file goes the ordinary way.
"""

import logging

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from core.exceptions import ApplicationError
from imports.models import ImportBatch, ImportRowError
from imports.services.csv_checks import header_parse

logger = logging.getLogger(__name__)

BOM = b"\xef\xbb\xbf"


def _lines(fileobj) -> tuple[bytes, np.ndarray]:
    """The header line and the data lines of a file, line ends and BOM dropped."""
    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines[0], np.array(lines[1:], dtype=object)


def _debtor_refs(fileobj, column: int) -> np.ndarray | None:
    """The debtor_ref of each data row (stripped, as the reader does), by column position."""
    fileobj.seek(0)
    try:
        table = pa_csv.read_csv(
            fileobj,
            read_options=pa_csv.ReadOptions(skip_rows=1, autogenerate_column_names=True),
            convert_options=pa_csv.ConvertOptions(
                include_columns=[f"f{column}"],
                column_types={f"f{column}": pa.string()},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError):
        return None
    finally:
        fileobj.seek(0)
    return table.column(0).to_pandas().str.strip().to_numpy(dtype=object)


def _hashes(lines: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each line. Lines are nearly all distinct, so they are hashed as they
    are: factorizing them first (hash_array's default) costs three times the hashing."""
    return pd.util.hash_array(lines, categorize=False)


def _keys(codes: np.ndarray, shift: int) -> np.ndarray:
    """Each row's (debtor code, position among that debtor's rows) as one integer."""
    position = pd.Series(codes).groupby(codes, sort=False).cumcount().to_numpy()
    return codes.astype(np.int64) * shift + position


def touched_debtors(*, batch: ImportBatch, last: ImportBatch, valid: pd.DataFrame):
    """The debtor_refs whose valid lines differ from the last import's; None: not known."""
    try:
        with batch.file.open("rb") as handle:
            header, lines = _lines(handle)
        with last.file.open("rb") as handle:
            old_header, old_lines = _lines(handle)
            if old_header != header or len(old_lines) != last.rows_total:
                return None
            position = _debtor_ref_position(header)
            old_refs = None if position is None else _debtor_refs(handle, position)
    except (OSError, ValueError):
        logger.info("import %s: the last file could not be read; compared in full", batch.id)
        return None
    if len(lines) != batch.rows_total or old_refs is None or len(old_refs) != len(old_lines):
        return None
    rejected = np.zeros(len(old_lines), dtype=bool)
    rows = np.fromiter(
        ImportRowError.objects.filter(batch=last).values_list("row", flat=True).distinct(),
        dtype=np.int64,
    )
    if len(rows) and (rows.min() < 2 or rows.max() - 2 >= len(old_lines)):
        return None
    rejected[rows - 2] = True
    old_valid = ~rejected
    old_refs, old_hashes = old_refs[old_valid], _hashes(old_lines[old_valid])
    index = valid["_row"].to_numpy() - 2
    new_refs, new_hashes = (
        valid["debtor_ref"].to_numpy(dtype=object),
        _hashes(lines[index]),
    )
    if not len(old_refs):  # the last file wrote nothing: every debtor is new
        return set(new_refs)
    # Debtors as integer codes, so the row-by-row comparison is integer work.
    codes, refs = pd.factorize(np.concatenate([old_refs, new_refs]))
    old_codes, new_codes = codes[: len(old_refs)], codes[len(old_refs) :]
    shift = max(len(old_codes), len(new_codes)) + 1
    old_keys, new_keys = _keys(old_codes, shift), _keys(new_codes, shift)
    # A new row differs when the last file had no row there or another line; a debtor also
    # changed when a row of it in the last file is gone.
    at = pd.Index(old_keys).get_indexer(new_keys)
    differs = (at < 0) | (old_hashes[at] != new_hashes)
    gone = pd.Index(new_keys).get_indexer(old_keys) < 0
    touched = np.unique(np.concatenate([new_codes[differs], old_codes[gone]]))
    return set(refs[touched])


def _debtor_ref_position(header: bytes) -> int | None:
    try:
        names = [name.strip().lower() for name in header_parse(header.decode("utf-8"))]
    except (UnicodeDecodeError, ApplicationError):
        return None
    return names.index("debtor_ref") if names.count("debtor_ref") == 1 else None
