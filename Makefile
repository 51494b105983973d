# `make demo`: the daemon on local sample feeds (scripts/demo.sh; Ctrl-C stops it).
# `make test`: the whole test suite (scripts/test.sh, what CI runs).
# Extra options for the demo: make demo DEMO_ARGS="--seconds 60"
.PHONY: demo test

demo:
	scripts/demo.sh $(DEMO_ARGS)

test:
	scripts/test.sh
