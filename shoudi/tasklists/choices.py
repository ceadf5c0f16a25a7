"""The vocabularies of a task: the result it asks for, how it recurs, and the states of one recipient's assignment."""

TEXT, FILE, FIGURE = "text", "file", "figure"
RESULT_CHOICES = [(TEXT, "文字"), (FILE, "文件"), (FIGURE, "数字")]

ONCE, WEEKLY, MONTHLY = "", "weekly", "monthly"
RECURRENCE_CHOICES = [(ONCE, "不重复"), (WEEKLY, "每周"), (MONTHLY, "每月")]
WEEKDAY_CHOICES = [(1, "周一"), (2, "周二"), (3, "周三"), (4, "周四"), (5, "周五"), (6, "周六"), (7, "周日")]

ISSUED, IN_PROGRESS, SUBMITTED, DONE = "issued", "in_progress", "submitted", "done"
STATE_CHOICES = [(ISSUED, "已下发"), (IN_PROGRESS, "办理中"), (SUBMITTED, "待审核"), (DONE, "已完成")]
RUNNING_STATES = (ISSUED, IN_PROGRESS)  # the recipient's turn: the due date runs
OPEN_STATES = (ISSUED, IN_PROGRESS, SUBMITTED)  # not yet 销号 (submitted: the issuer's turn)
DUE_SOON_DAYS = 3
