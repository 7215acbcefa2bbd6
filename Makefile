# ssdd build and run targets. Every target is idempotent; `scripts/setup.sh` installs the system packages.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
BIN := .build/release/ssdd
SAMPLE := samples/person.mp4

.PHONY: all build demo test sample clean

all: build

build:
	$(SWIFT) build -c release --product ssdd

$(SAMPLE):
	sh scripts/make-sample.sh $(SAMPLE)

sample: $(SAMPLE)

# The main job on the bundled default: the sample clip.
demo: build sample
	$(BIN) probe $(SAMPLE)

# The whole test suite (unit, golden parity, end-to-end on the built binary).
test:
	$(SWIFT) build --product ssdd
	$(SWIFT) test

clean:
	rm -rf .build samples
