"""Pydantic model of a training config (configs.model=train_schema:TrainConfig, configs.model_path=configs/ml/schema)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    name: str
    pretrained: bool = True
    dropout: float = Field(ge=0, lt=1)


class Optimizer(BaseModel):
    name: str
    lr: float = Field(gt=0, le=1)
    weight_decay: float = Field(ge=0)


class Data(BaseModel):
    root: str
    train: str
    batch_size: int = Field(gt=0)


class Trainer(BaseModel):
    max_epochs: int = Field(gt=0)
    precision: str


class Tracking(BaseModel):
    uri: str
    experiment: str
    run_name: str | None = None
    token: str | None = None


class Callback(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


class TrainConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    experiment: str
    seed: int
    model: Model
    optimizer: Optimizer
    data: Data
    trainer: Trainer
    tracking: Tracking | None = None
    callbacks: list[Callback] = []
