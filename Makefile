# cloudmarket: `make run` and `make test` are all a new user needs (see README.md).
SHELL := /bin/bash
PY    := /usr/bin/python3
BUILD := build
JOBS  := $(shell nproc)

# Everything comes from Debian's packages; `deps` installs what is missing.
APT_PACKAGES := build-essential cmake pkg-config libsimgrid-dev libboost-dev libboost-program-options-dev \
                libyaml-cpp-dev libhdf5-dev catch2 librandom123-dev \
                python3 python3-h5py python3-xarray python3-h5netcdf python3-netcdf4 python3-matplotlib \
                python3-scipy python3-pandas python3-yaml openmpi-bin libopenmpi-dev python3-mpi4py \
                udunits-bin python3-jsonschema python3-nbclient python3-nbformat python3-ipykernel python3-dask

.PHONY: all deps build run test validate bench figures install clean

all: build

deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing Debian packages:" $$missing; \
	    echo "install them with:  sudo apt-get install -y" $$missing; \
	    exit 1; \
	  fi; \
	fi

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release > /dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@mkdir -p out
	$(BUILD)/cloudmarket run scenarios/baseline.yaml -o out/baseline.h5
	$(PY) tools/plot.py out/baseline.h5 -o out/baseline.png
	@echo "wrote out/baseline.h5 and out/baseline.png"

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# Long validation runs: every shipped scenario over its full horizon, and the slow theory checks.
validate: build
	$(PY) tools/validate.py --binary $(BUILD)/cloudmarket --unit-tests $(BUILD)/tests/unit_tests

bench: build
	$(PY) tools/bench.py --binary $(BUILD)/cloudmarket

# The figure gallery: runs of the shipped scenarios into out/figures, their figures into docs/figures
# (docs/figures/README.md lists each figure with the command that drew it). About a minute.
FIG_RUNS := out/figures
FIG_DIR  := docs/figures
CM       := $(BUILD)/cloudmarket
figures: build
	@mkdir -p $(FIG_RUNS) $(FIG_DIR)
	$(CM) run scenarios/baseline.yaml -o $(FIG_RUNS)/baseline.h5 --quiet
	$(PY) tools/plot.py $(FIG_RUNS)/baseline.h5 -o $(FIG_DIR)/baseline.png
	for seed in 1 2 3; do \
	  $(CM) run scenarios/baseline.yaml -o $(FIG_RUNS)/baseline_seed$$seed.h5 --quiet --seed $$seed && \
	  $(CM) run scenarios/baseline.yaml -o $(FIG_RUNS)/undercut_seed$$seed.h5 --quiet --seed $$seed \
	    --set vendors.alibaba.pricing.strategy=undercut || exit 1; \
	done
	$(PY) tools/plot.py $(FIG_RUNS)/baseline_seed{1,2,3}.h5 $(FIG_RUNS)/undercut_seed{1,2,3}.h5 --band \
	  --products iaas_gpu,paas -o $(FIG_DIR)/baseline_undercut_band.png
	$(CM) run scenarios/china_2023.yaml -o $(FIG_RUNS)/china_2023.h5 --quiet
	$(PY) tools/plot.py $(FIG_RUNS)/china_2023.h5 -o $(FIG_DIR)/china_2023.png
	$(CM) run scenarios/global_2023.yaml -o $(FIG_RUNS)/global_2023.h5 --quiet
	$(CM) run scenarios/declouding_2023.yaml -o $(FIG_RUNS)/declouding_2023.h5 --quiet
	$(PY) tools/plot.py $(FIG_RUNS)/global_2023.h5 $(FIG_RUNS)/declouding_2023.h5 \
	  --products iaas_cpu,iaas_gpu -o $(FIG_DIR)/declouding_2023.png
	$(CM) run scenarios/maas_price_war_2024.yaml -o $(FIG_RUNS)/maas_price_war_2024.h5 --quiet
	$(PY) tools/plot.py $(FIG_RUNS)/maas_price_war_2024.h5 -o $(FIG_DIR)/maas_price_war_2024.png
	$(CM) run scenarios/investment_for_compute.yaml -o $(FIG_RUNS)/investment_for_compute.h5 --quiet
	$(PY) tools/plot_startups.py $(FIG_RUNS)/investment_for_compute.h5 -o $(FIG_DIR)/investment_for_compute_startups.png
	rm -rf $(FIG_RUNS)/baseline_grid
	$(CM) sweep scenarios/sweeps/baseline_grid.yaml -o $(FIG_RUNS)/baseline_grid --quiet
	$(PY) tools/plot_sweep.py $(FIG_RUNS)/baseline_grid -o $(FIG_DIR)/baseline_grid.png
	rm -rf $(FIG_RUNS)/huawei_cut
	$(CM) compare scenarios/china_2023.yaml scenarios/huawei_gpu_cut_2025.yaml --replications 10 \
	  --at 2025-12-31 --at 2027-12-31 --vendors alibaba,huawei -o $(FIG_RUNS)/huawei_cut --quiet
	cp $(FIG_RUNS)/huawei_cut/figures/market_share.png $(FIG_DIR)/whatif_market_share.png
	cp $(FIG_RUNS)/huawei_cut/figures/vendor_gross_margin.png $(FIG_DIR)/whatif_vendor_gross_margin.png

# The binary, its sweep tools, scenarios and docs under PREFIX (bin/, share/cloudmarket/, share/doc/).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) out
