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

# PMML4S 1.5.8, the engine inside the pinned pypmml wheel, is not on Maven Central (0.9.15 is, and disagrees
# with pypmml): the data plane takes the wheel's jar, installed into the local Maven repository.
PMML4S_JAR := $(VENV)/lib/python3.11/site-packages/pypmml/jars/pmml4s_2.13-1.5.8.jar
PMML4S_M2 := $(HOME)/.m2/repository/org/pmml4s/pmml4s_2.13/1.5.8/pmml4s_2.13-1.5.8.jar

$(PMML4S_M2): $(VENV)/.installed
	@echo "==> PMML4S 1.5.8 from the pypmml wheel into the local Maven repository"
	mvn -B -q org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file -Dfile=$(PMML4S_JAR) \
	  -DgroupId=org.pmml4s -DartifactId=pmml4s_2.13 -Dversion=1.5.8 -Dpackaging=jar

# The data plane (the JVM feature engine, PMML models, control messages): its unit tests run in `make test`.
$(DATAPLANE_JAR): $(DATAPLANE_SOURCES) $(PMML4S_M2)
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
	$(BIN)/python bench/explain.py

cluster-up: setup
	$(BIN)/fraudscore flink start

cluster-down:
	$(BIN)/fraudscore flink stop

clean:
	rm -rf $(VENV) jvm/target jvm/dataplane/target var
