# Chinese financial figures are grouped by thousands with a comma (318,181.64 万元), as in the
# regulator's and the banks' own statements; Django's Chinese locale groups nothing.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
