"""The receipt's QR code as drawn: every module where the code puts it, at the size asked."""
from __future__ import annotations

from kiosk.bookings import booking_qr_payload
from ui.qr import qr_matrix, qr_pixmap


def test_the_drawn_code_has_every_module_of_the_code(qtbot):
    text = booking_qr_payload("0b6c2f0e-8f6a-4f0e-9a53-2d3f1c5e7a91")
    matrix = qr_matrix(text)
    size = 330
    image = qr_pixmap(text, size).toImage()
    assert (image.width(), image.height()) == (size, size)
    cell = size / len(matrix)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            shade = image.pixelColor(int((x + 0.5) * cell), int((y + 0.5) * cell)).lightness()
            assert shade == (0 if dark else 255), (x, y)
    assert any(any(row) for row in matrix) and not any(matrix[0])  # a code, quiet zone around
