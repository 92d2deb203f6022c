"""Each part of supervision adds its objects to the matrix in ``tests.matrix_parts.<part>``:
``build(m)`` sets attributes on the Matrix, and ``PROVIDES`` names them, so that the matrix
builds the part only when a test first asks for one of them."""
