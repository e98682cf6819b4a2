# make book       build the HTML book into _build/html (open _build/html/index.html)
# make pdf        the HTML book, then each edition as one PDF: _build/pdf/cnn-course-{ko,en}.pdf
# make lint       ruff over the package, the tests and _ext (pyproject.toml); it reports nothing
# make test       lint, then every test: unit tests, notebooks (nbval strict), parity, hygiene, strict build, PDFs
# make notebooks  re-execute every notebook (or NB=path/to.ipynb) in a fresh kernel, store outputs
# make bench      trainer and corr2d speed, measured side by side
# make lab        JupyterLab on book/, with the "Python (cnn-course)" kernel (LAB_ARGS=--no-browser ...)
# make kernel     only register that kernel in .venv (VS Code: pick "Python (cnn-course)")
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed
NB     ?= $(sort $(wildcard book/ko/*.ipynb book/en/*.ipynb))
PYTEST_ARGS ?=
LAB_ARGS ?=
# Jupyter refuses to start as root (a container, a CI machine) unless told to.
AS_ROOT  = $(if $(filter 0,$(shell id -u)),--allow-root)
KERNEL  = $(VENV)/share/jupyter/kernels/cnn-course/kernel.json

.PHONY: install book pdf lint test notebooks bench lab kernel clean

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
	@echo "The whole course to download: _build/html/cnn-course.zip"
	@echo "Both editions as PDFs, linked from the landing page: make pdf"

# Printed by headless Chromium from the built site (_ext/make_pdf.py) and copied into it,
# where the landing page links them.
pdf: book
	$(PY) _ext/make_pdf.py

lint: install
	$(VENV)/bin/ruff check .

# One test process per CPU core (pytest-xdist); each takes whole files, the slowest first
# (tests/conftest.py). PYTEST_ARGS=-n0 runs everything in one process.
test: install lint
	$(PY) -m pytest -n auto --dist loadfile --no-loadscope-reorder --doctest-modules companion tests book --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(PYTEST_ARGS)

notebooks: install
	@for nb in $(NB); do echo "executing $$nb"; \
	  $(PY) -m nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=1800 --ExecutePreprocessor.record_timing=False "$$nb" || exit 1; done

bench: install
	$(PY) -m companion.bench

# The kernel lives inside the venv (--sys-prefix), runs the venv's Python and sees `companion`.
# The notebooks ask for the kernel `python3`; in this venv's Jupyter that is the venv's Python
# too (JUPYTER_PREFER_ENV_PATH=1: a python3 kernel in ~/.local/share/jupyter cannot shadow it).
kernel: $(KERNEL)

$(KERNEL): $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name cnn-course --display-name "Python (cnn-course)"

lab: install $(KERNEL)
	JUPYTER_PREFER_ENV_PATH=1 $(VENV)/bin/jupyter lab --ServerApp.root_dir=book $(AS_ROOT) $(LAB_ARGS)

clean:
	rm -rf _build
