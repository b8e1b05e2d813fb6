"""A run's file as a download, for the manager page and the API alike."""

from django.http import FileResponse, Http404

from bureau.models import FurnishingRun


def run_file_response(run: FurnishingRun) -> FileResponse:
    """The generated file, as kept, with its SHA-256 in a header (404 when there is none)."""
    if not run.file:
        raise Http404
    try:
        handle = run.file.open("rb")
    except FileNotFoundError as exc:  # gone from storage: nothing to send
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=run.file_name or run.file.name.rsplit("/", 1)[-1],
        content_type="application/octet-stream",
    )
    response["X-Checksum-SHA256"] = run.checksum
    response["Cache-Control"] = "no-store"
    return response
