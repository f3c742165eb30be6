// SPDX-License-Identifier: GPL-2.0
/*
 * kiced: the kice daemon.  Reads its configuration, opens the ng control
 * sockets and runs the main loop until SIGTERM or SIGINT.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiced/handover.h"
#include "kiced/kernel.h"
#include "kiced/kiced.h"
#include "kiced/limits.h"
#include "kiced/log.h"
#include "kiced/metrics.h"
#include "kiced/service.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: kiced [options]\n"
"  -c, --config FILE      configuration file (default " KICED_DEFAULT_CONF
" if it exists)\n"
"  -f, --foreground       do not detach; log to stderr unless --syslog\n"
"  -l, --log-level LEVEL  err, warn, notice, info or debug\n"
"      --syslog           log to syslog (facility daemon)\n"
"      --ng-listen ADDR   ng over UDP, e.g. 127.0.0.1:2223 (\"\" = off)\n"
"      --ng-socket PATH   ng over a Unix datagram socket\n"
"      --metrics-listen ADDR  Prometheus metrics on http://ADDR/metrics\n"
"      --media-address A  IPv4 address media ports bind to\n"
"      --interface N/A[!ADV]  named media address (for \"direction\")\n"
"      --port-min N, --port-max N  media port range\n"
"      --max-sessions N   calls at once (0: as many as the ports hold);\n"
"                         offers for more get rtpengine's \"load limit\"\n"
"      --no-kernel        relay media in userspace even if kice.ko is loaded\n"
"      --stun-server H:P  gather server-reflexive candidates through it\n"
"      --turn-server H:P  gather relayed candidates (UDP; with --turn-user\n"
"                         USER and --turn-password PASS)\n"
"      --pidfile FILE     write the daemon's pid\n"
"  -h, --help             this text\n");
}

enum {
	OPT_SYSLOG = 256,
	OPT_NG_LISTEN,
	OPT_NG_SOCKET,
	OPT_NO_KERNEL,
	OPT_MEDIA_ADDRESS,
	OPT_PORT_MIN,
	OPT_PORT_MAX,
	OPT_PIDFILE,
	OPT_INTERFACE,
	OPT_STUN_SERVER,
	OPT_TURN_SERVER,
	OPT_TURN_USER,
	OPT_TURN_PASSWORD,
	OPT_MAX_SESSIONS,
	OPT_METRICS_LISTEN,
};

static const struct option long_opts[] = {
	{ "config",		required_argument, NULL, 'c' },
	{ "foreground",		no_argument,	   NULL, 'f' },
	{ "log-level",		required_argument, NULL, 'l' },
	{ "syslog",		no_argument,	   NULL, OPT_SYSLOG },
	{ "ng-listen",		required_argument, NULL, OPT_NG_LISTEN },
	{ "ng-socket",		required_argument, NULL, OPT_NG_SOCKET },
	{ "metrics-listen",	required_argument, NULL, OPT_METRICS_LISTEN },
	{ "no-kernel",		no_argument,	   NULL, OPT_NO_KERNEL },
	{ "media-address",	required_argument, NULL, OPT_MEDIA_ADDRESS },
	{ "port-min",		required_argument, NULL, OPT_PORT_MIN },
	{ "port-max",		required_argument, NULL, OPT_PORT_MAX },
	{ "pidfile",		required_argument, NULL, OPT_PIDFILE },
	{ "interface",		required_argument, NULL, OPT_INTERFACE },
	{ "stun-server",	required_argument, NULL, OPT_STUN_SERVER },
	{ "turn-server",	required_argument, NULL, OPT_TURN_SERVER },
	{ "turn-user",		required_argument, NULL, OPT_TURN_USER },
	{ "turn-password",	required_argument, NULL, OPT_TURN_PASSWORD },
	{ "max-sessions",	required_argument, NULL, OPT_MAX_SESSIONS },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Command line options override the file: collect them, apply after. */
struct override {
	const char *section, *key, *value;
};

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f);
}

/* kice.ko announces itself in sysfs once loaded. */
static bool kernel_module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/kice", &st);
}

/* The loop's tick: timeouts, then consent checks and the fd store. */
static void main_tick(void *arg, uint64_t now_ms)
{
	kiced_tick(arg, now_ms);
	handover_tick(arg, now_ms);
	metrics_tick(arg);
	service_tick(arg);
}

int main(int argc, char **argv)
{
	struct knl knl = { 0 };
	struct kiced_limits lim;
	struct override ov[32];
	const char *conf = NULL;
	struct kiced *k;
	char err[512];
	size_t nov = 0, i;
	int opt, ret = 1;
	bool kernel;

	k = calloc(1, sizeof(*k));
	if (!k)
		return 1;
	config_defaults(&k->cfg);
	while ((opt = getopt_long(argc, argv, "c:fl:h", long_opts, NULL)) !=
	       -1) {
		struct override o = { NULL, NULL, NULL };

		switch (opt) {
		case 'c':
			conf = optarg;
			break;
		case 'f':
			o = (struct override){ "kiced", "foreground", "yes" };
			break;
		case 'l':
			o = (struct override){ "kiced", "log-level", optarg };
			break;
		case OPT_SYSLOG:
			o = (struct override){ "kiced", "syslog", "yes" };
			break;
		case OPT_NG_LISTEN:
			o = (struct override){ "control", "ng-listen", optarg };
			break;
		case OPT_NG_SOCKET:
			o = (struct override){ "control", "ng-socket", optarg };
			break;
		case OPT_METRICS_LISTEN:
			o = (struct override){ "control", "metrics-listen",
					       optarg };
			break;
		case OPT_NO_KERNEL:
			o = (struct override){ "media", "kernel", "no" };
			break;
		case OPT_MEDIA_ADDRESS:
			o = (struct override){ "media", "address", optarg };
			break;
		case OPT_PORT_MIN:
			o = (struct override){ "media", "port-min", optarg };
			break;
		case OPT_PORT_MAX:
			o = (struct override){ "media", "port-max", optarg };
			break;
		case OPT_PIDFILE:
			o = (struct override){ "kiced", "pidfile", optarg };
			break;
		case OPT_INTERFACE:
			o = (struct override){ "media", "interface", optarg };
			break;
		case OPT_STUN_SERVER:
			o = (struct override){ "ice", "stun-server", optarg };
			break;
		case OPT_TURN_SERVER:
			o = (struct override){ "ice", "turn-server", optarg };
			break;
		case OPT_TURN_USER:
			o = (struct override){ "ice", "turn-user", optarg };
			break;
		case OPT_TURN_PASSWORD:
			o = (struct override){ "ice", "turn-password", optarg };
			break;
		case OPT_MAX_SESSIONS:
			o = (struct override){ "control", "max-sessions",
					       optarg };
			break;
		case 'h':
			usage(stdout);
			free(k);
			return 0;
		default:
			usage(stderr);
			free(k);
			return 2;
		}
		if (o.key && nov < sizeof(ov) / sizeof(ov[0]))
			ov[nov++] = o;
	}
	if (optind != argc) {
		usage(stderr);
		free(k);
		return 2;
	}
	if (!conf && !access(KICED_DEFAULT_CONF, R_OK))
		conf = KICED_DEFAULT_CONF;
	if (conf && config_load(&k->cfg, conf, err, sizeof(err))) {
		fprintf(stderr, "kiced: %s\n", err);
		free(k);
		return 2;
	}
	for (i = 0; i < nov; i++) {
		if (config_set(&k->cfg, ov[i].section, ov[i].key, ov[i].value,
			       err, sizeof(err))) {
			fprintf(stderr, "kiced: option --%s: %s\n", ov[i].key,
				err);
			free(k);
			return 2;
		}
	}
	if (config_check(&k->cfg, err, sizeof(err))) {
		fprintf(stderr, "kiced: %s\n", err);
		free(k);
		return 2;
	}

	klog_init(k->cfg.log_level, k->cfg.syslog);
	if (!k->cfg.foreground && daemonize()) {
		klog_err("cannot detach: %s", strerror(errno));
		goto out_free;
	}
	if (*k->cfg.pidfile && write_pidfile(k->cfg.pidfile))
		klog_warn("pidfile %s: %s", k->cfg.pidfile, strerror(errno));
	/* 4 fds a call: the soft open-file limit goes up as needed */
	ret = kiced_limits_apply(&k->cfg, &lim);
	if (ret)
		klog_warn("open-file limit: %s", strerror(-ret));
	kiced_limits_log(&k->cfg, &lim);
	ret = 1;

	if (loop_init(&k->loop, 1000, main_tick, k))
		goto out_free;
	k->started = time(NULL);
	k->started_ms = loop_now_ms();
	session_table_init(&k->calls);
	kernel = false;
	if (k->cfg.kernel && kernel_module_loaded()) {
		int err = knl_open(&knl);

		if (err)
			klog_warn("kice.ko loaded but not usable: %s",
				  strerror(-err));
		kernel = !err;
	}
	media_env_init(&k->media, &k->loop, &k->cfg, kernel ? &knl : NULL);
	klog_notice("media relay: %s, ports %u-%u on %s",
		    kernel ? "kernel (kice.ko)" : "userspace", k->cfg.port_min,
		    k->cfg.port_max, k->cfg.address);
	if (kernel) {
		int err = kernel_monitor_open(k);

		if (err)
			klog_warn("kice.ko monitor events: %s", strerror(-err));
	}
	/* calls a previous kiced handed on (restart, crash), if any */
	ret = handover_restore(k);
	if (ret == -EBUSY) {
		klog_err("another kiced runs with the holder at %s", k->cfg.handover);
		ret = 1;
		goto out_calls;
	}
	if (ret < 0)
		klog_warn("handover from %s failed: %s", k->cfg.handover,
			  strerror(-ret));
	ret = 1;
	/* keep-flows: sockets and calls survive SIGKILL and crashes too */
	if (k->cfg.keep_flows) {
		int err = handover_store_start(k);

		if (err)
			klog_err("fd store at %s: %s; calls do not survive a crash",
				 k->cfg.handover, strerror(-err));
	}

	if (control_open(k) || metrics_open(k))
		goto out_calls;
	klog_notice("kiced running (pid %ld)", (long)getpid());
	service_ready(k);
	ret = loop_run(&k->loop) ? 1 : 0;
	klog_notice("stopping: %zu sessions", k->calls.count);
	service_stopping(k);
	if (k->cfg.keep_flows && k->loop.stop_signal == SIGTERM) {
		if (handover_stop(k, true) < 0)
			klog_err("handover failed: calls and flows end now");
	}
out_calls:
	handover_stop(k, false);	/* no-op after a handover */
	kernel_monitor_close(k);
	session_remove_all(&k->calls);
	metrics_close(k);
	control_close(k);
	loop_fini(&k->loop);
	knl_close(&knl);
	if (*k->cfg.pidfile)
		unlink(k->cfg.pidfile);
out_free:
	klog_close();
	free(k);
	return ret;
}
