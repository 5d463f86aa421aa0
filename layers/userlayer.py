"""The old name of :mod:`layers.upload` (one module per file format since the split); kept so
that ``from layers.userlayer import parse_upload, user_layer_group`` still works."""

from __future__ import annotations

from .upload import (MAX_UPLOAD_BYTES, UploadResult, UserLayer, parse_upload, popup_plan,
                     user_layer_group)

__all__ = ["MAX_UPLOAD_BYTES", "UploadResult", "UserLayer", "parse_upload", "popup_plan",
           "user_layer_group"]
