"""Everything the window needs, built once by planner/app.py and passed in."""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.catalog.store import Catalog
from planner.catalog.user_catalog import UserCatalog
from planner.catalog.user_layer import UserLayer
from planner.catalog.userdb import UserDatabase
from planner.core.calibration import Calibration
from planner.core.cost import CostSettings
from planner.core.serving_calibration import SERVING_PRIOR_CALIBRATION, ServingCalibration
from planner.estimation.front import Estimator
from planner.estimation.serving_front import ServingEstimator
from planner.hardware.detect import Detection
from planner.measure.store import MeasurementStore
from planner.measure.this_pc import PcFacts
from planner.ui.settings import Settings
from planner.ui.workers import WorkerPool


@dataclass
class Services:
    catalog: Catalog
    calibration: Calibration
    userdb: UserDatabase
    settings: Settings
    workers: WorkerPool
    detect: object  # callable(timeout_s) -> Detection; injectable for tests
    serving_calibration: ServingCalibration = SERVING_PRIOR_CALIBRATION
    estimator: Estimator = field(init=False)
    measurements: MeasurementStore = field(init=False)
    serving: ServingEstimator = field(init=False)
    detection: Detection | None = None
    _facts: PcFacts | None = field(default=None, init=False, repr=False)
    skipped_user_rows: list[str] = field(default_factory=list)  # custom GPUs/models that did not load

    def __post_init__(self) -> None:
        self.estimator = Estimator(self.catalog, self.calibration, self.cost_settings())
        self.measurements = MeasurementStore(self.userdb.path)
        self.serving = ServingEstimator(self.estimator, self.serving_calibration, self.serving_cost_settings())
        self.load_user_catalog()

    def pc_facts(self) -> PcFacts:
        """What was measured on this PC (cached until `forget_pc_facts`)."""
        if self._facts is None:
            pcie = tuple(g for link in self.detection.pcie if (g := link.usable_gbs)) if self.detection else ()
            store = self.measurements
            self._facts = PcFacts(store.latest_ram(), pcie, tuple(store.measurements(None)))
        return self._facts

    def forget_pc_facts(self) -> None:
        self._facts = None

    def serving_cost_settings(self) -> CostSettings:
        """A server runs around the clock: the user's prices and amortization, at 24 h a day."""
        settings = self.cost_settings()
        return CostSettings(settings.electricity_usd_per_kwh, 24.0, settings.amortization_years)

    def cost_settings(self) -> CostSettings:
        return CostSettings(
            electricity_usd_per_kwh=float(self.settings.get("electricity_usd_per_kwh")),
            hours_per_day=float(self.settings.get("hours_per_day")),
            amortization_years=float(self.settings.get("amortization_years")),
        )

    def load_user_catalog(self) -> None:
        """Overlay the user's custom GPUs, models and prices on the shipped catalog."""
        user = self.user_catalog()
        self.catalog.set_user_layer(UserLayer(tuple(user.gpus()), tuple(user.models()), tuple(self.userdb.prices())))
        self.skipped_user_rows = list(user.damaged)

    def user_catalog(self) -> UserCatalog:
        return UserCatalog(self.userdb.path, self.userdb.read_only_reason)

    def startup_notices(self) -> list[str]:
        """What the user should know about their data files (set aside, read-only, defaults used)."""
        notices = list(self.userdb.notices)
        settings_notice = self.settings.notice()
        if settings_notice:
            notices.append(settings_notice)
        notices += [f"Skipped {row}." for row in self.skipped_user_rows]
        return notices

    def refresh_cost_settings(self) -> None:
        self.estimator.cost_settings = self.cost_settings()
        self.serving.cost_settings = self.serving_cost_settings()
