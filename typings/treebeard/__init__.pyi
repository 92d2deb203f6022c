# Stubs for the parts of django-treebeard (7.x) the portal uses: it ships no type hints.
