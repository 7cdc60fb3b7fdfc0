# SPDX-License-Identifier: GPL-3.0-or-later
# cmm: one non-recursive Makefile.
#   make            build build/cmm (warnings are errors)
#   make check      build and run every test (tests/run.sh)
#   make check SAN=1   the same with AddressSanitizer + UBSan (in build-san/)
#   make demo       install what is missing, build, run the demo
#   make deps       install the Debian packages cmm needs (scripts/deps.sh)
#   make CC=clang   any of the above with clang

CC	?= cc
PREFIX	?= /usr/local
O	?= 2
PKGS	:= libevent libsodium inih ncursesw readline jansson

ifeq ($(SAN),1)
BUILD	?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
O	:= 1
else
BUILD	?= build
SANFLAGS :=
endif

WARN	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter
CFLAGS	+= -std=c11 -O$(O) -g $(WARN) $(SANFLAGS) -D_GNU_SOURCE -I.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS	+= $(PKG_LIBS) -lpthread -lm
LDFLAGS	+= $(SANFLAGS)

# The pure part: core, simulator, codec, quorum rules.  It must link
# without libevent and libsodium (see the core-noio test).
CORE_SRCS := $(sort $(wildcard quorum/*.c) net/wire.c net/replay.c \
	$(wildcard src/core*.c) $(wildcard src/sim*.c) src/rng.c)
ALL_SRCS  := $(sort $(filter-out src/main.c, $(wildcard quorum/*.c net/*.c \
	src/*.c ui/*.c)))
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))

CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o)
ALL_OBJS  := $(ALL_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps check demo clean install bench FORCE
all: $(BUILD)/cmm

deps:
	@sh scripts/deps.sh

# Everything that compiles needs the packages: check once per build dir.
$(BUILD)/.deps-ok: scripts/deps.sh
	@mkdir -p $(BUILD)
	@sh scripts/deps.sh
	@touch $@

$(BUILD)/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libcmm.a: $(ALL_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libcmmcore.a: $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/cmm: $(BUILD)/src/main.o $(BUILD)/libcmm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcmm.a | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcmm.a \
		$(LDLIBS) -lcmocka

# The core and simulator linked with libc alone: a stray libevent or
# libsodium call in the pure part fails here, at link time.
$(BUILD)/tests/core-noio: tests/core_noio.c $(BUILD)/libcmmcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lm

check: $(BUILD)/cmm $(TEST_BINS) $(BUILD)/tests/core-noio
	@BUILD=$(BUILD) sh tests/run.sh

demo: $(BUILD)/cmm
	@sh scripts/demo.sh $(BUILD)/cmm

install: $(BUILD)/cmm
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/cmm $(DESTDIR)$(PREFIX)/bin/cmm

clean:
	rm -rf build build-san

-include $(ALL_OBJS:.o=.d) $(BUILD)/src/main.d
