"""QR codes drawn with Qt from the qrcode package's module matrix (no image library needed)."""
from __future__ import annotations

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

# One mask for every code: trying all eight for the best (what qrcode does unless told) takes
# five times as long as the code itself, on the receipt's tap; every mask makes a valid code.
MASK = 2


def qr_matrix(text: str) -> list[list[bool]]:
    """The code's modules, dark or light, with its quiet zone of 4."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                         mask_pattern=MASK)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def qr_pixmap(text: str, size_px: int) -> QPixmap:
    """One pixel a module, black on white, scaled up without smoothing to `size_px`."""
    matrix = qr_matrix(text)
    cells = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = QImage(pixels, cells, cells, cells, QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.scaled(size_px, size_px,
                                          Qt.AspectRatioMode.IgnoreAspectRatio,
                                          Qt.TransformationMode.FastTransformation))
