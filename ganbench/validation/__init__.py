"""The validate experiment: defects of known direction and the verdicts on each measure."""
