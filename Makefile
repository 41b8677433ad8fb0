# The TIME_WAIT course. `make lab` to learn, `make test` to check everything.
# Every target runs in .venv, made from requirements.txt (exact pins).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JUPYTER_PORT ?= 8888
NB ?= notebooks/*.ipynb
NBVAL_TIMEOUT ?= 300
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=$(NBVAL_TIMEOUT)

.DEFAULT_GOAL := help
.PHONY: help lab test test-unit test-structure test-notebooks test-student test-browser test-instructor notebooks figures bench student site nbgrader slides clean

help:
	@echo "make lab        create .venv, install the pinned requirements, open the course in JupyterLab"
	@echo "make test       run every test: unit/property, notebook structure, nbval (strict), student versions, browser"
	@echo "make notebooks  re-execute notebooks in place (NB=notebooks/03_reliable_close.ipynb for one)"
	@echo "make figures    redraw every figure in figures/ from tcpmodel"
	@echo "make student    write student versions (solutions removed) to _build/student/"
	@echo "make bench      run the benchmarks; writes .bench.json"
	@echo "make site       build the static site into _build/site/"
	@echo "make nbgrader   write the nbgrader course directory (assignments, autograded tests) to _build/nbgrader/"
	@echo "make slides     write reveal.js lecture slides of every notebook to _build/slides/ (works offline)"
	@echo "make clean      remove .venv and build output"

# Every target needs Python >= 3.10: check once, when make reads this file,
# so that each target fails with the same plain message instead of later.
PYTHON_OK := $(shell $(PYTHON) -c 'import sys; print(int(sys.version_info >= (3, 10)))' 2>/dev/null)
ifneq ($(PYTHON_OK),1)
$(error the course needs Python >= 3.10, but '$(PYTHON)' is $(or $(shell $(PYTHON) --version 2>&1),missing). Install Python 3.10+ and run again, e.g. 'make test PYTHON=python3.11')
endif

# Rebuilt when missing or older than the requirements.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP)

# Jupyter refuses to run as root without --allow-root (containers often are root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --port=$(JUPYTER_PORT) $(ROOT_FLAG) notebooks/00_start_here.ipynb

test: test-unit test-structure test-notebooks test-student test-instructor test-browser

test-unit: $(STAMP)
	$(PY) -m pytest -q tests --ignore=tests/test_notebook_structure.py --ignore=tests/browser --ignore=tests/test_nbgrader.py --doctest-modules tcpmodel

test-structure: $(STAMP)
	$(PY) -m pytest -q tests/test_notebook_structure.py

test-notebooks: $(STAMP)
	$(PY) -m pytest -q $(NBVAL_FLAGS) notebooks/

student: $(STAMP)
	$(PY) tools/make_student.py notebooks _build/student

test-student: student
	$(PY) -m pytest -q $(NBVAL_FLAGS) _build/student/

# The site's build and browser-test packages (requirements-site.txt, which
# includes requirements.txt) are kept out of Binder's environment.
SITE_STAMP := $(VENV)/.site-installed
$(SITE_STAMP): requirements-site.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-site.txt
	@touch $(SITE_STAMP)

test-browser: $(SITE_STAMP)
	@if [ -d tests/browser ]; then $(PY) -m pytest -q tests/browser; fi

site: $(SITE_STAMP)
	$(PY) tools/build_site.py

# The instructor's kit (requirements-instructor.txt: nbgrader; includes
# requirements.txt) is kept out of Binder's environment too.
INSTRUCTOR_STAMP := $(VENV)/.instructor-installed
$(INSTRUCTOR_STAMP): requirements-instructor.txt $(STAMP)
	$(PY) -m pip install --quiet -r requirements-instructor.txt
	@touch $(INSTRUCTOR_STAMP)

nbgrader: $(INSTRUCTOR_STAMP)
	$(PY) tools/make_nbgrader.py

test-instructor: $(INSTRUCTOR_STAMP)
	$(PY) -m pytest -q tests/test_nbgrader.py

# Lecture slides (reveal.js, fetched once from the npm registry by `npm pack`,
# checksum pinned in tools/make_slides.py, served from _build/slides/).
slides: $(INSTRUCTOR_STAMP)
	$(PY) tools/make_slides.py

notebooks: $(STAMP)
	$(PY) tools/execute_notebooks.py $(NB)

figures: $(STAMP)
	$(PY) -m tcpmodel.figures figures
	$(PY) -c 'from tcpmodel.sim.recycle import write_recycle_nat_sweeps; write_recycle_nat_sweeps()'
	$(PY) -c 'from tcpmodel.plots.quiet_time import write_stored_grids; write_stored_grids()'

# The site's packages bring Selenium, which browser:widget_roundtrip drives Chromium with.
bench: $(SITE_STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) _build .bench.json .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
