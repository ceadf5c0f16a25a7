"""Work management: the one problem life cycle (下发 → 整改 → 申请销号 → 审核 → 已销号)."""
