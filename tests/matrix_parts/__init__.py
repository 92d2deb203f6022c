"""Each part of supervision adds its objects to the matrix in ``tests.matrix_parts.<part>``,
whose ``build(m)`` sets attributes on the Matrix."""
