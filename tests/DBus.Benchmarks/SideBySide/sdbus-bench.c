/*
 * The sd-bus side of the side-by-side benchmark (tests/DBus.Benchmarks/SideBySide): the same service and the
 * same client workloads as the .NET implementations, written the way an sd-bus user would write them.
 *
 *   sdbus-bench serve p2p PATH        listen on a Unix socket, serve the first client peer-to-peer
 *   sdbus-bench serve bus ADDRESS     connect to a bus, own org.dbusgen.Bench, serve
 *   sdbus-bench client p2p|bus ADDRESS WORKLOAD INFLIGHT SECONDS
 *
 * Both print "ready" when they can be used. The client prints "begin" after its warm-up, then one line
 * "calls=N seconds=S cpu_us=C" when it is done. Built by build-sdbus.sh against libsystemd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>

#define SERVICE "org.dbusgen.Bench"
#define PATH "/org/dbusgen/Bench"
#define INTERFACE "org.dbusgen.Bench"
#define SUM_LENGTH 100000

static void die(const char *what, int r) {
    fprintf(stderr, "sdbus-bench: %s: %s\n", what, strerror(r < 0 ? -r : r));
    exit(1);
}

static int method_echo(sd_bus_message *m, void *userdata, sd_bus_error *error) {
    const char *s;
    int r = sd_bus_message_read(m, "s", &s);
    if (r < 0) return r;
    return sd_bus_reply_method_return(m, "s", s);
}

static int method_sum(sd_bus_message *m, void *userdata, sd_bus_error *error) {
    const int32_t *values;
    size_t size;
    int r = sd_bus_message_read_array(m, 'i', (const void **)&values, &size);
    if (r < 0) return r;
    int64_t sum = 0;
    for (size_t i = 0; i < size / sizeof(int32_t); i++) sum += values[i];
    return sd_bus_reply_method_return(m, "x", sum);
}

static const sd_bus_vtable bench_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Echo", "s", "s", method_echo, 0),
    SD_BUS_METHOD("Sum", "ai", "x", method_sum, 0),
    SD_BUS_VTABLE_END
};

static void run_loop(sd_bus *bus) {
    for (;;) {
        int r = sd_bus_process(bus, NULL);
        if (r < 0) {
            if (r == -ECONNRESET || r == -ENOTCONN) return;
            die("process", r);
        }
        if (r > 0) continue;
        r = sd_bus_wait(bus, UINT64_MAX);
        if (r < 0 && r != -EINTR) return;
    }
}

static _Noreturn void serve(const char *mode, const char *where) {
    sd_bus *bus = NULL;
    int r;
    if (strcmp(mode, "p2p") == 0) {
        int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        strncpy(addr.sun_path, where, sizeof(addr.sun_path) - 1);
        if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0) die("bind", errno);
        if (listen(listener, 4) < 0) die("listen", errno);
        printf("ready\n");
        fflush(stdout);
        int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) die("accept", errno);
        sd_id128_t id;
        sd_id128_randomize(&id);
        if ((r = sd_bus_new(&bus)) < 0) die("new", r);
        if ((r = sd_bus_set_fd(bus, fd, fd)) < 0) die("set_fd", r);
        if ((r = sd_bus_set_server(bus, 1, id)) < 0) die("set_server", r);
        if ((r = sd_bus_add_object_vtable(bus, NULL, PATH, INTERFACE, bench_vtable, NULL)) < 0) die("vtable", r);
        if ((r = sd_bus_start(bus)) < 0) die("start", r);
    } else {
        if ((r = sd_bus_new(&bus)) < 0) die("new", r);
        if ((r = sd_bus_set_address(bus, where)) < 0) die("address", r);
        if ((r = sd_bus_set_bus_client(bus, 1)) < 0) die("bus_client", r);
        if ((r = sd_bus_start(bus)) < 0) die("start", r);
        if ((r = sd_bus_add_object_vtable(bus, NULL, PATH, INTERFACE, bench_vtable, NULL)) < 0) die("vtable", r);
        if ((r = sd_bus_request_name(bus, SERVICE, 0)) < 0) die("request_name", r);
        printf("ready\n");
        fflush(stdout);
    }
    run_loop(bus);
    sd_bus_flush_close_unref(bus);
    /* The benchmark reads this process's CPU time after its client left: stay until it is killed. */
    for (;;) pause();
}

static int32_t *s_values;
static const char *s_workload;
static const char *s_destination;
static long s_completed;
static long s_target;
static int s_in_flight;

static int new_call(sd_bus *bus, sd_bus_message **out) {
    sd_bus_message *m = NULL;
    int r;
    if (strcmp(s_workload, "echo") == 0) {
        if ((r = sd_bus_message_new_method_call(bus, &m, s_destination, PATH, INTERFACE, "Echo")) < 0) return r;
        r = sd_bus_message_append(m, "s", "Hello from the benchmark");
    } else {
        if ((r = sd_bus_message_new_method_call(bus, &m, s_destination, PATH, INTERFACE, "Sum")) < 0) return r;
        r = sd_bus_message_append_array(m, 'i', s_values, SUM_LENGTH * sizeof(int32_t));
    }
    if (r < 0) { sd_bus_message_unref(m); return r; }
    *out = m;
    return 0;
}

static int check_reply(sd_bus_message *reply) {
    if (sd_bus_message_is_method_error(reply, NULL)) {
        fprintf(stderr, "sdbus-bench: error reply %s\n", sd_bus_message_get_error(reply)->name);
        exit(1);
    }
    if (strcmp(s_workload, "echo") == 0) {
        const char *s;
        return sd_bus_message_read(reply, "s", &s);
    }
    int64_t sum;
    return sd_bus_message_read(reply, "x", &sum);
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *error);

static void start_async(sd_bus *bus) {
    sd_bus_message *m;
    int r = new_call(bus, &m);
    if (r < 0) die("message", r);
    if ((r = sd_bus_call_async(bus, NULL, m, on_reply, NULL, 0)) < 0) die("call_async", r);
    sd_bus_message_unref(m);
}

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
    int r = check_reply(reply);
    if (r < 0) die("read reply", r);
    s_completed++;
    if (s_completed + s_in_flight <= s_target) start_async(sd_bus_message_get_bus(reply));
    return 0;
}

/* Runs until `calls` replies came back; returns the count. */
static long run_calls(sd_bus *bus, long calls) {
    int r;
    if (s_in_flight == 1) {
        for (long i = 0; i < calls; i++) {
            sd_bus_message *m, *reply = NULL;
            sd_bus_error error = SD_BUS_ERROR_NULL;
            if ((r = new_call(bus, &m)) < 0) die("message", r);
            if ((r = sd_bus_call(bus, m, 0, &error, &reply)) < 0) {
                fprintf(stderr, "sdbus-bench: call failed: %s\n", error.message ? error.message : strerror(-r));
                exit(1);
            }
            if ((r = check_reply(reply)) < 0) die("read reply", r);
            sd_bus_message_unref(reply);
            sd_bus_message_unref(m);
        }
        return calls;
    }
    s_completed = 0;
    s_target = calls;
    for (int i = 0; i < s_in_flight && i < calls; i++) start_async(bus);
    while (s_completed < calls) {
        r = sd_bus_process(bus, NULL);
        if (r < 0) die("process", r);
        if (r > 0) continue;
        if ((r = sd_bus_wait(bus, UINT64_MAX)) < 0 && r != -EINTR) die("wait", r);
    }
    return calls;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_us(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

static int client(const char *mode, const char *address, const char *workload, int in_flight, double seconds) {
    sd_bus *bus = NULL;
    int r;
    s_workload = workload;
    s_in_flight = in_flight;
    s_destination = strcmp(mode, "bus") == 0 ? SERVICE : NULL;
    s_values = malloc(SUM_LENGTH * sizeof(int32_t));
    for (int i = 0; i < SUM_LENGTH; i++) s_values[i] = i;
    if ((r = sd_bus_new(&bus)) < 0) die("new", r);
    if ((r = sd_bus_set_address(bus, address)) < 0) die("address", r);
    if ((r = sd_bus_set_bus_client(bus, strcmp(mode, "bus") == 0)) < 0) die("bus_client", r);
    if ((r = sd_bus_start(bus)) < 0) die("start", r);

    /* Warm up for a tenth of the time, then count batches until the time is up. */
    long batch = strcmp(workload, "echo") == 0 ? 2000 : 50;
    double warm_end = now() + seconds / 10;
    while (now() < warm_end) run_calls(bus, batch);
    printf("begin\n");
    fflush(stdout);
    double cpu_start = cpu_us(), start = now(), end = start + seconds;
    long calls = 0;
    while (now() < end) calls += run_calls(bus, batch);
    double elapsed = now() - start, cpu = cpu_us() - cpu_start;
    printf("calls=%ld seconds=%.6f cpu_us=%.0f alloc_bytes=-1\n", calls, elapsed, cpu);
    fflush(stdout);
    sd_bus_flush_close_unref(bus);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "serve") == 0) serve(argv[2], argv[3]);
    if (argc == 7 && strcmp(argv[1], "client") == 0)
        return client(argv[2], argv[3], argv[4], atoi(argv[5]), atof(argv[6]));
    fprintf(stderr, "usage: sdbus-bench serve p2p PATH | serve bus ADDRESS | client p2p|bus ADDRESS echo|sum INFLIGHT SECONDS\n");
    return 2;
}
