"""Village-stationed teams (驻村工作队) and their 后盾单位: members, attendance, leave, logs, meetings, coverage."""
