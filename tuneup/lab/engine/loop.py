"""One training job from start to finish: data, model, plan, steps, checkpoints, result.

The order of work is chosen so that a bad file fails in a second (before torch loads),
and so that a cancel is seen before every step: :class:`StopFlag` is set by SIGTERM or by
the cancel file appearing. The data order of each epoch is a permutation drawn from
``seed`` and the epoch number, and the adapter is initialised from ``seed``, so a job run
twice (or resumed from a checkpoint) trains on exactly the same batches.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

from tuneup.lab.engine import checkpoints
from tuneup.lab.engine.basemodel import display_name, local
from tuneup.lab.engine.data import read_conversations, read_preferences
from tuneup.lab.engine.events import Emitter
from tuneup.lab.engine.hparams import LORA_ALPHA, LORA_R, Plan, resolve
from tuneup.lab.engine.jobspec import JobSpec
from tuneup.lab.engine.objectives import Objective, Preference, Result, Supervised

MAX_TRUNCATION_EVENTS = 5
VALID_SAMPLE = 4  # validation examples scored at every step


class StopFlag:
    """Set by SIGTERM; also true once the job's cancel file exists."""

    def __init__(self, cancel_file: Path | None) -> None:
        self.cancel_file = cancel_file
        self.signalled = False

    def on_signal(self, _signum: int, _frame: Any) -> None:
        self.signalled = True

    def __bool__(self) -> bool:
        return self.signalled or bool(self.cancel_file and self.cancel_file.exists())


class Cancelled(Exception):
    def __init__(self, step: int) -> None:
        super().__init__(step)
        self.step = step


def check_files(spec: JobSpec) -> None:
    """Read the data once without torch, so a bad file fails fast (encoded again later)."""
    reader = read_preferences if spec.method == "dpo" else read_conversations
    reader(spec.training_file, "training")
    if spec.validation_file:
        reader(spec.validation_file, "validation")


def _keep_trainable(
    items: list[Any], obj: Objective, kind: str, limit: int, emit: Emitter
) -> list[Any]:
    truncated = [obj.first(i) for i in items if obj.first(i).truncated]
    for e in truncated[:MAX_TRUNCATION_EVENTS]:
        emit.warn(
            f"Example on line {e.line} of the {kind} file truncated to {limit} tokens "
            f"(it has {e.full_length})"
        )
    if len(truncated) > MAX_TRUNCATION_EVENTS:
        more = len(truncated) - MAX_TRUNCATION_EVENTS
        emit.warn(f"{more} more {kind} examples truncated to {limit} tokens")
    kept = [i for i in items if obj.trainable(i)]
    for item in items:
        if not obj.trainable(item):
            emit.warn(
                f"Example on line {obj.first(item).line} of the {kind} file has no assistant "
                "tokens left to train on (weight 0, or truncated away); skipped"
            )
    return kept


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    order = list(range(n))
    random.Random(f"{seed}:{epoch}").shuffle(order)
    return order


class Job:
    def __init__(self, spec: JobSpec, emit: Emitter, stop: StopFlag) -> None:
        self.spec = spec
        self.emit = emit
        self.stop = stop

    def run(self) -> None:
        spec, emit = self.spec, self.emit
        check_files(spec)
        if self.stop:
            raise Cancelled(0)
        import torch

        from tuneup.lab.engine.loading import device_name, load_base, pick_device

        device = pick_device(spec.device)
        found = local(spec.base_model)
        name = display_name(spec.base_model)
        origin = f" ({found.origin})" if found else ""
        asked = f" (asked for {spec.requested_model})" if spec.requested_model else ""
        label = f"real: {name}, LoRA r={LORA_R}, {device_name(device)}"
        emit.info(f"Training {name}{origin} with LoRA r={LORA_R} on {device_name(device)}{asked}")
        model, tok = load_base(spec.base_model, device, emit.info)
        from tuneup.lab.engine.encode import require_template

        require_template(tok, name)
        pad_id = int(tok.pad_token_id)
        obj: Objective = Preference(pad_id) if spec.method == "dpo" else Supervised(pad_id)
        limit = spec.max_seq_len
        train = _keep_trainable(
            obj.load(tok, spec.training_file, "training", limit), obj, "training", limit, emit
        )
        valid: list[Any] = []
        if spec.validation_file:
            loaded = obj.load(tok, spec.validation_file, "validation", limit)
            valid = _keep_trainable(loaded, obj, "validation", limit, emit)
        plan = resolve(spec.method, len(train), spec.hyperparameters)
        if isinstance(obj, Preference) and plan.beta is not None:
            obj.beta = plan.beta
        emit.emit(
            "plan",
            hyperparameters=plan.hyperparameters(),
            total_steps=plan.total_steps,
            steps_per_epoch=plan.steps_per_epoch,
            trainer=label,
        )
        emit.info(
            f"Learning rate {plan.learning_rate:g} (base {plan.base_learning_rate:g} x "
            f"multiplier {plan.learning_rate_multiplier:g}), decaying linearly to 0; "
            f"{len(train)} examples, {plan.steps_per_epoch} steps per epoch"
        )
        from peft import LoraConfig, get_peft_model

        torch.manual_seed(spec.seed)
        lora = LoraConfig(
            r=LORA_R, lora_alpha=LORA_ALPHA, lora_dropout=0.0, target_modules="all-linear"
        )
        peft_model: Any = get_peft_model(model, lora)
        params = [p for p in peft_model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=plan.learning_rate, weight_decay=0.0)
        self._train(peft_model, optimizer, obj, plan, train, valid, device)

    def _plan_key(self, plan: Plan) -> dict[str, Any]:
        return {
            "method": plan.method,
            **plan.hyperparameters(),
            "seed": self.spec.seed,
            "n_examples": plan.n_examples,
            "total_steps": plan.total_steps,
        }

    def _train(
        self,
        model: Any,
        optimizer: Any,
        obj: Objective,
        plan: Plan,
        train: list[Any],
        valid: list[Any],
        device: Any,
    ) -> None:
        spec, emit = self.spec, self.emit
        step, trained_tokens = 0, 0
        ckpt_root = spec.output_dir / "checkpoints"
        if spec.resume_from:
            state = checkpoints.read_state(spec.resume_from)
            checkpoints.check_matches(spec.resume_from, state, self._plan_key(plan))
            checkpoints.restore(model, optimizer, spec.resume_from)
            step, trained_tokens = state["step"], int(state.get("trained_tokens", 0))
            emit.info(f"Resuming from the checkpoint at step {step} ({spec.resume_from.name})")
        ckpt_root.mkdir(parents=True, exist_ok=True)
        spe = plan.steps_per_epoch
        started = time.monotonic()
        while step < plan.total_steps:
            epoch, index = divmod(step, spe)
            if self.stop:
                raise Cancelled(step)
            order = epoch_order(len(train), spec.seed, epoch)
            batch = [
                train[i] for i in order[index * plan.batch_size : (index + 1) * plan.batch_size]
            ]
            for group in optimizer.param_groups:
                group["lr"] = plan.lr_at(step)
            model.train()
            optimizer.zero_grad(set_to_none=True)
            result = obj.run(model, batch, device, train=True)
            optimizer.step()
            step += 1
            trained_tokens += sum(obj.tokens(item) for item in batch)
            data: dict[str, Any] = {
                "step": step,
                "total_steps": plan.total_steps,
                "train_loss": result.loss,
                "train_mean_token_accuracy": result.accuracy,
            }
            if valid:
                # a few validation examples per step, chosen by the step (same after a resume)
                k = min(VALID_SAMPLE, len(valid))
                sample = [valid[((step - 1) * k + i) % len(valid)] for i in range(k)]
                checked = self._evaluate(model, obj, sample, device)
                data["valid_loss"] = checked.loss
                data["valid_mean_token_accuracy"] = checked.accuracy
            epoch_end = step % spe == 0 or step == plan.total_steps
            if epoch_end and valid:
                full = self._evaluate_all(model, obj, valid, device, step)
                data["full_valid_loss"] = full.loss
                data["full_valid_mean_token_accuracy"] = full.accuracy
            emit.emit("metrics", data=data)
            if epoch_end:
                folder = checkpoints.save_adapter(
                    model,
                    ckpt_root / f"step-{step}",
                    {
                        "step": step,
                        "trained_tokens": trained_tokens,
                        "plan": self._plan_key(plan),
                        "base_model": spec.base_model,
                        "metrics": data,
                    },
                    optimizer,
                )
                checkpoints.prune(ckpt_root)
                emit.emit("checkpoint", step=step, path=str(folder), metrics=data)
        final = checkpoints.save_adapter(
            model,
            spec.output_dir / "adapter",
            {"step": step, "trained_tokens": trained_tokens, "base_model": spec.base_model},
        )
        elapsed = time.monotonic() - started
        print(f"trained up to step {step}, {elapsed:.1f} s", file=sys.stderr, flush=True)
        emit.emit("done", trained_tokens=trained_tokens, adapter=str(final))

    def _evaluate(self, model: Any, obj: Objective, items: list[Any], device: Any) -> Result:
        import torch

        model.eval()
        with torch.no_grad():
            return obj.run(model, items, device, train=False)

    def _evaluate_all(
        self, model: Any, obj: Objective, items: list[Any], device: Any, step: int
    ) -> Result:
        """Loss and accuracy over the whole validation file (cancel is checked between
        groups)."""
        total = Result()
        for start in range(0, len(items), 8):
            if self.stop:
                raise Cancelled(step)
            total.add(self._evaluate(model, obj, items[start : start + 8], device))
        return total
