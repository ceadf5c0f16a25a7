"""``core.demo``: a job that counts, for trying the job machinery (and for its tests)."""

import time

from .registry import job
from .runner import JobError

__all__ = ["demo"]


@job("core.demo", title="演示任务")
def demo(ctx, *, steps: int = 10, sleep: float = 0.0, fail: bool = False) -> dict:
    """Count to ``steps``, sleeping ``sleep`` seconds per step; write a small text file; fail halfway if ``fail``."""
    steps = int(steps)
    ctx.set_total(steps)
    ctx.log(f"开始计数，共 {steps} 步")
    for i in range(1, steps + 1):
        if sleep:
            time.sleep(float(sleep))
        if fail and i > steps // 2:
            raise JobError(f"演示任务按要求在第 {i} 步失败")
        ctx.advance()
    ctx.log("计数完成，正在生成结果文件")
    lines = [f"第 {i} 步" for i in range(1, steps + 1)]
    ctx.save_result_file(("演示任务结果\n" + "\n".join(lines) + f"\n共 {steps} 步\n").encode(), "演示结果.txt")
    return {"计数": steps}
