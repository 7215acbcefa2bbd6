# ssdd build and run targets. Every target is idempotent; `scripts/setup.sh` installs the system packages.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
BIN := .build/release/ssdd
SAMPLE := samples/person.mp4
GRAPH := models/frozen_inference_graph.pb
MODEL := models/person.safetensors

.PHONY: all build debug demo test sample model bench clean

all: build

build:
	$(SWIFT) build -c release --product ssdd

debug:
	$(SWIFT) build --product ssdd

$(GRAPH):
	sh scripts/fetch-model.sh models

# The default model: the SSDLite person detector imported into the native format.
$(MODEL): $(GRAPH)
	$(SWIFT) build -c release --product ssdd
	$(BIN) model import $(GRAPH) -o $(MODEL)

model: $(MODEL)

$(SAMPLE):
	sh scripts/make-sample.sh $(SAMPLE)

sample: $(SAMPLE)

# The main job on the bundled default: detect people in the sample clip (every 5th frame), JSON lines on stdout.
demo: build model sample
	$(BIN) detect $(SAMPLE) --every 5

bench: build model
	$(BIN) bench --threads 1
	$(BIN) bench --threads 2

# The whole test suite: unit, golden parity (needs the real graph) and end-to-end tests, which run the release
# binary on the default model (a debug build is too slow for real-time streams).
test: $(MODEL)
	$(SWIFT) build -c release --product ssdd
	SSDD_REQUIRE_REAL_GRAPH=1 SSDD_BINARY=$(CURDIR)/$(BIN) SSDD_MODEL=$(CURDIR)/$(MODEL) $(SWIFT) test

clean:
	rm -rf .build samples models/*.safetensors
