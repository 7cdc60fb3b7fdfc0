# SPDX-License-Identifier: GPL-3.0-or-later
# cmm: one non-recursive Makefile.  docs/ARCHITECTURE.md maps the tree.
#   make            build build/cmm (checks the Debian packages, installs
#                   nothing; `make deps` does)
#   make check      install what the tests need, build, run every test
#   make check SAN=1   the same with AddressSanitizer + UBSan (in build-san/)
#   make demo       install what is missing, build, run the demo
#   make deps       install the Debian packages to build and test
#   make CC=clang   any of the above with clang
#   make CFLAGS=... your optimisation and debug flags; the flags cmm needs
#                   (C11, warnings, include path) are kept anyway
#   make WERROR=0   warnings are not errors (the default in a release
#                   tarball; in a git checkout they are errors)
#   make fuzz [FUZZ_SECONDS=60]   libFuzzer harnesses (tests/fuzz/), clang,
#                   ASan+UBSan, in build-fuzz/; each runs N seconds
#   make lint       cppcheck, clang-tidy and shellcheck (scripts/lint.sh)
#   make crashtest  1000 SIGKILLs during commits (tests/mp/crash_kill.sh)
#   make soak [SOAK_SECONDS=600]  16 nodes, lossy lo in a netns, then
#                   restarts (tests/soak/soak.sh); redundant links with 5%
#                   loss on each (tests/soak/links_loss.sh); 16 nodes under
#                   CPU hogs with and without realtime
#                   (tests/soak/realtime_hog.sh); root; not in make check
#   make hwtest     arms the machine's real /dev/watchdog (softdog will do)
#                   with a 600 s timeout and disarms it (tests/hw/); root;
#                   not in make check, which must never touch the
#                   hardware of the machine it runs on
#   make swarm [SEEDS=20000 DURATION=300s NODES=2..16]  simulator seeds on
#                   every core; prints each failure with its command
#   make bench      failover, crash and host loss in network namespaces,
#                   the shared disk's share of a round, cmm beside
#                   Corosync, joins, simulator scale, idle cost
#                   (bench/run.sh): tables, bench/results.json,
#                   bench/latency.png (~7 min)
#   make bench-deps what make bench uses beyond the build (gnuplot-nox,
#                   corosync), installed when missing; make deps never does
#   make bench-scale   64 daemons in network namespaces (bench/scale64.sh,
#                   docs/SCALING.md); root; part of make bench too
#   make golden     rewrite the golden decision traces (tests/golden/)
#   make model      SPIN models of round v2 and the two-node device race:
#                   exhaustive searches, planted bugs caught
#                   (tests/model/run.sh full; 5-10 min on 2 cores, ~6 GB)

CC	?= cc
PREFIX	?= /usr/local
# The packages by library (see the archives below): the node and control
# plane need NODE_PKGS, the console UI_PKGS on top; the pure part none.
NODE_PKGS := libevent libsodium inih jansson
UI_PKGS	:= ncursesw readline
PKGS	:= $(NODE_PKGS) $(UI_PKGS)

# The user's flags: optimisation and debug info, theirs to change.
CFLAGS	?= -O2 -g
ifeq ($(FUZZ),1)
# the library gets the fuzzer's coverage hooks; each harness links its main
BUILD	?= build-fuzz
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined
CFLAGS	:= -O1 -g
else ifeq ($(SAN),1)
BUILD	?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
CFLAGS	:= -O1 -g
else
BUILD	?= build
SANFLAGS :=
endif

# Warnings are errors for developers and CI (a git checkout), not for a
# user building a release; WERROR=0/1 decides either way.
WERROR	?= $(if $(wildcard .git),1,0)
WARN	:= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wformat=2 -Wwrite-strings -Wcast-qual \
	$(if $(filter 1,$(WERROR)),-Werror)
# What cmm needs whatever CFLAGS says: kept apart so `make CFLAGS=-O0`
# cannot drop them.  Assertions stay on (they guard the core's invariants).
CMM_CFLAGS   = -std=c11 $(WARN) $(SANFLAGS)
CMM_CPPFLAGS = -D_GNU_SOURCE -I.
ALL_CFLAGS   = $(CMM_CPPFLAGS) $(CPPFLAGS) $(CMM_CFLAGS) $(CFLAGS)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# `cmm --version`'s build: git describe at build time (main.o only)
CMM_BUILD_ID := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
NODE_LIBS  = $(shell pkg-config --libs $(NODE_PKGS) 2>/dev/null) -lpthread -lm
UI_LIBS    = $(shell pkg-config --libs $(UI_PKGS) 2>/dev/null)
LDFLAGS	+= $(SANFLAGS)

# The layout (docs/ARCHITECTURE.md): the pure part (quorum rules, codec,
# core, simulator) links with libc alone (the core-noio test); the node
# (daemon and its files) and the control plane on top of it; the console;
# the entry points in src/ over all of them.
CORE_SRCS := $(sort $(wildcard util/*.c) $(wildcard quorum/*.c) net/wire.c net/replay.c \
	$(wildcard src/core/*.c) $(wildcard src/sim/*.c))
NODE_SRCS := $(sort $(filter-out net/wire.c net/replay.c, $(wildcard net/*.c)) \
	$(wildcard src/node/*.c) $(wildcard src/ctl/*.c))
UI_SRCS   := $(sort $(wildcard ui/*.c))
APP_SRCS  := $(sort $(filter-out src/main.c, $(wildcard src/*.c)))
ALL_SRCS  := $(CORE_SRCS) $(NODE_SRCS) $(UI_SRCS) $(APP_SRCS)
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))

CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o)
NODE_OBJS := $(NODE_SRCS:%.c=$(BUILD)/%.o)
UI_OBJS   := $(UI_SRCS:%.c=$(BUILD)/%.o)
APP_OBJS  := $(APP_SRCS:%.c=$(BUILD)/%.o)
ALL_OBJS  := $(ALL_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps deps-test check demo clean install bench bench-deps FORCE fuzz \
	fuzz-build lint crashtest soak model swarm golden hwtest bench-scale
all: $(BUILD)/cmm $(BUILD)/cmm.bash

# A plain build only checks for the packages (and says how to get them);
# deps, check and demo install what is missing first.
deps:
	@sh scripts/deps.sh test
deps-test:
	@sh scripts/deps.sh test
$(BUILD)/.deps-ok: scripts/deps.sh
	@mkdir -p $(BUILD)
	@sh scripts/deps.sh --check build
	@touch $@

$(BUILD)/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

# One archive per part, linked in dependency order (a part before the ones
# it uses), each with only its own packages:
#   libcmmcore.a  util, quorum, net/wire+replay, src/core, src/sim: libc
#   libcmmnode.a  the rest of net, src/node, src/ctl: NODE_PKGS
#   libcmmui.a    ui/, the console: UI_PKGS
# so a program that does not use the console (the unit tests of the
# command table, the fuzzers) links without ncurses and readline.
# libcmm.a is node + core in one, for the small tools that tests/mp and
# tests/fuzz/mkcorpus.sh compile on the fly.
$(BUILD)/libcmmcore.a: $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libcmmnode.a: $(NODE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libcmmui.a: $(UI_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libcmm.a: $(NODE_OBJS) $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The entry points that use no console (cmm keygen, check, ctl) as an
# archive too: unit tests call them (test_mac runs cmm keygen) without
# pulling in ui/.
APP_UI_SRCS := $(shell grep -l '^\#include "ui/' $(APP_SRCS) 2>/dev/null)
APP_NOUI_OBJS := $(filter-out $(APP_UI_SRCS:%.c=$(BUILD)/%.o),$(APP_OBJS))
$(BUILD)/libcmmapp.a: $(APP_NOUI_OBJS)
	@rm -f $@
	ar rcs $@ $^

NODE_ARS := $(BUILD)/libcmmnode.a $(BUILD)/libcmmcore.a
UI_ARS	 := $(BUILD)/libcmmui.a $(NODE_ARS)
TEST_ARS := $(BUILD)/libcmmapp.a $(NODE_ARS)

$(BUILD)/src/main.o: CMM_CPPFLAGS += -DCMM_BUILD_ID='"$(CMM_BUILD_ID)"'
$(BUILD)/cmm: $(BUILD)/src/main.o $(APP_OBJS) $(UI_ARS) | $(BUILD)/libcmm.a
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/src/main.o $(APP_OBJS) $(UI_ARS) \
		$(UI_LIBS) $(NODE_LIBS) $(LDLIBS)

# Unit tests: the node's archives and packages; the tests of ui/ (named
# test_ui_*) the console's too.  test_state sees the state file's writes
# and flushes at the system calls.
$(BUILD)/tests/test_state: LDFLAGS += -Wl,--wrap=pwrite -Wl,--wrap=fdatasync
UI_TEST_BINS := $(filter $(BUILD)/tests/test_ui_%,$(TEST_BINS))
$(filter-out $(UI_TEST_BINS),$(TEST_BINS)): $(BUILD)/tests/%: \
		tests/unit/%.c $(TEST_ARS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(TEST_ARS) \
		$(NODE_LIBS) $(LDLIBS) -lcmocka
$(UI_TEST_BINS): $(BUILD)/tests/%: tests/unit/%.c $(UI_ARS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(UI_ARS) \
		$(UI_LIBS) $(NODE_LIBS) $(LDLIBS) -lcmocka

# The core and simulator linked with libc alone: a stray libevent or
# libsodium call in the pure part fails here, at link time.
$(BUILD)/tests/core-noio: tests/core_noio.c $(BUILD)/libcmmcore.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ -lm

check: deps-test
	@$(MAKE) --no-print-directory $(BUILD)/cmm $(TEST_BINS) \
		$(BUILD)/tests/core-noio
	@BUILD=$(BUILD) sh tests/run.sh

demo:
	@sh scripts/deps.sh build
	@$(MAKE) --no-print-directory $(BUILD)/cmm
	$(BUILD)/cmm demo

# bash completion, generated from the command table (scripts/completion.sh)
$(BUILD)/cmm.bash: $(BUILD)/cmm scripts/completion.sh
	sh scripts/completion.sh $(BUILD)/cmm >$@.tmp && mv $@.tmp $@

install: $(BUILD)/cmm $(BUILD)/cmm.bash
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/cmm $(DESTDIR)$(PREFIX)/bin/cmm
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 $(BUILD)/cmm.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/cmm
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 0644 assets/cmm.1 $(DESTDIR)$(PREFIX)/share/man/man1/cmm.1
	install -m 0644 assets/cmm.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/cmm.conf.5
	install -d $(DESTDIR)$(PREFIX)/share/cmm/hooks
	install -m 0755 assets/hooks/log-event assets/hooks/mail-event \
		$(DESTDIR)$(PREFIX)/share/cmm/hooks/
	sed 's|/usr/local/bin/cmm|$(PREFIX)/bin/cmm|' 'assets/cmm-node@.service' \
		>'$(DESTDIR)$(PREFIX)/lib/systemd/system/cmm-node@.service'
	chmod 0644 '$(DESTDIR)$(PREFIX)/lib/systemd/system/cmm-node@.service'
	sed 's|/usr/local/bin/cmm|$(PREFIX)/bin/cmm|' 'assets/cmm-arbiter.service' \
		>'$(DESTDIR)$(PREFIX)/lib/systemd/system/cmm-arbiter.service'
	chmod 0644 '$(DESTDIR)$(PREFIX)/lib/systemd/system/cmm-arbiter.service'

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h $(NODE_ARS) \
		| $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(NODE_ARS) $(NODE_LIBS) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz:
	@sh scripts/deps.sh build clang libclang-rt-14-dev
	@mkdir -p build-fuzz
	@flock build-fuzz/.lock $(MAKE) --no-print-directory FUZZ=1 CC=clang \
		BUILD=build-fuzz fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh build-fuzz

lint:
	@sh scripts/deps.sh build cppcheck clang-tidy shellcheck
	@sh scripts/lint.sh

crashtest: $(BUILD)/cmm
	@BUILD=$(BUILD) CMM=$(CURDIR)/$(BUILD)/cmm CMM_CRASH_KILLS=1000 \
		sh tests/mp/crash_kill.sh

SEEDS ?= 1000
DURATION ?= 300s
NODES ?= 2..16
swarm: $(BUILD)/cmm
	@CMM=$(CURDIR)/$(BUILD)/cmm SEEDS=$(SEEDS) DURATION=$(DURATION) \
		NODES=$(NODES) sh scripts/swarm.sh

SOAK_SECONDS ?= 600
soak: $(BUILD)/cmm
	@BUILD=$(BUILD) CMM=$(CURDIR)/$(BUILD)/cmm SOAK_SECONDS=$(SOAK_SECONDS) \
		sh tests/soak/soak.sh
	@BUILD=$(BUILD) CMM=$(CURDIR)/$(BUILD)/cmm SOAK_SECONDS=$(SOAK_SECONDS) \
		sh tests/soak/links_loss.sh
	@BUILD=$(BUILD) CMM=$(CURDIR)/$(BUILD)/cmm SOAK_SECONDS=$(SOAK_SECONDS) \
		sh tests/soak/realtime_hog.sh

# A skip (77: no root, no device, nowayout) is said and fails the target:
# whoever runs it wants the device tested.
hwtest: $(BUILD)/cmm
	@BUILD=$(BUILD) CMM=$(CURDIR)/$(BUILD)/cmm sh tests/hw/watchdog_dev.sh; \
	rc=$$?; [ $$rc -ne 77 ] || echo "hwtest: skipped, not run"; exit $$rc

# The kill and start times of bench/ on the daemons' clock (CLOCK_MONOTONIC)
$(BUILD)/bench/benchtool: bench/benchtool.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

bench-deps:
	@sh scripts/bench-deps.sh

bench: bench-deps
	@$(MAKE) --no-print-directory CFLAGS="-O2 -g" $(BUILD)/cmm \
		$(BUILD)/bench/benchtool
	@CMM=$(CURDIR)/$(BUILD)/cmm BENCHTOOL=$(CURDIR)/$(BUILD)/bench/benchtool \
		sh bench/run.sh

# 64 daemons in network namespaces: formation, a kill, a 32/32 split, the
# idle cost (bench/scale64.sh, docs/SCALING.md); root; also in make bench
bench-scale:
	@$(MAKE) --no-print-directory CFLAGS="-O2 -g" $(BUILD)/cmm \
		$(BUILD)/bench/benchtool
	@CMM=$(CURDIR)/$(BUILD)/cmm BENCHTOOL=$(CURDIR)/$(BUILD)/bench/benchtool \
		sh bench/scale64.sh

# Golden decision traces of the FIG. 1 scenarios: `make golden` rewrites
# tests/golden/*.trace on purpose after a change of *why* nodes decide
golden: $(BUILD)/cmm
	@CMM=$(CURDIR)/$(BUILD)/cmm sh tests/golden/run.sh --regen

# The round's design, model-checked: exhaustive searches and planted bugs
model:
	@sh scripts/deps.sh build spin
	@sh tests/model/run.sh full

clean:
	rm -rf build build-san build-fuzz

-include $(ALL_OBJS:.o=.d) $(BUILD)/src/main.d
