# fraudscore: `make run` runs the whole service locally, `make test` runs the tests.
# Both set up what they need first (venv, Python packages, JVM artifacts); a second time is fast.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# sklearn2pmml (AGPL, model export only) wants a newer dill than apache-beam pins; PyFlink runs with it.
EXPORT_ONLY := sklearn2pmml==0.133.1 dill==0.4.0

.PHONY: setup browser run test lint bench cluster-up cluster-down clean

DATAPLANE_JAR := jvm/dataplane/target/fraudscore-dataplane.jar
DATAPLANE_SOURCES := jvm/dataplane/pom.xml $(shell find jvm/dataplane/src/main -type f 2>/dev/null)

setup: $(VENV)/.installed jvm/target/.fetched $(DATAPLANE_JAR)

# The web page's test drives Debian's Chromium headless (apt, as root or through sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "==> Debian's chromium and chromium-driver, for the web page's browser test (a minute)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

$(VENV)/.installed: pyproject.toml requirements.lock
	@echo "==> Python environment in $(VENV) (first time: a few minutes)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar off -r requirements.lock
	$(BIN)/pip install --quiet --no-deps $(EXPORT_ONLY)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

jvm/target/.fetched: jvm/pom.xml
	@echo "==> JVM artifacts from Maven Central: Kafka broker, Flink Kafka connector (each download shown)"
	mvn -B -f jvm/pom.xml package
	touch $@

# The data plane (the JVM feature engine): its unit tests run in `make test`, not on every build.
$(DATAPLANE_JAR): $(DATAPLANE_SOURCES)
	@echo "==> The data plane jar (jvm/dataplane, Maven)"
	mvn -B -f jvm/dataplane/pom.xml package -DskipTests

run: setup
	$(BIN)/fraudscore up

test: setup browser
	$(BIN)/ruff check .
	mvn -B -ntp -f jvm/dataplane/pom.xml test
	$(BIN)/python -m pytest --durations=25

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: setup
	$(BIN)/python bench/flink_modes.py
	$(BIN)/python bench/dsl_engine.py --events 20000 --repeats 7
	$(BIN)/python bench/pmml_engine.py
	$(BIN)/python bench/preprocessor.py --records 60000
	$(BIN)/python bench/operators.py
	$(BIN)/python bench/explain.py

cluster-up: setup
	$(BIN)/fraudscore flink start

cluster-down:
	$(BIN)/fraudscore flink stop

clean:
	rm -rf $(VENV) jvm/target jvm/dataplane/target var
