# make book       build the HTML book into _build/html (open _build/html/index.html)
# make test       run every test: unit tests, notebooks (nbval strict), parity, hygiene, strict build
# make notebooks  re-execute every notebook (or NB=path/to.ipynb) in a fresh kernel, store outputs
# make bench      trainer and corr2d speed, measured side by side
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed
NB     ?= $(sort $(wildcard book/ko/*.ipynb book/en/*.ipynb))
PYTEST_ARGS ?=

.PHONY: install book test notebooks bench clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.txt
	# d2l is a reference only; --no-deps because its pins break Python >= 3.12 and inline figures.
	$(PY) -m pip install --no-deps d2l==1.0.3
	$(PY) -m pip install --no-deps -e .
	touch $(STAMP)

book: install
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Open _build/html/index.html"

test: install
	$(PY) -m pytest --doctest-modules companion tests book --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(PYTEST_ARGS)

notebooks: install
	@for nb in $(NB); do echo "executing $$nb"; \
	  $(PY) -m nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=1800 --ExecutePreprocessor.record_timing=False "$$nb" || exit 1; done

bench: install
	$(PY) -m companion.bench

clean:
	rm -rf _build
