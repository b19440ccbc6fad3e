/* notify_listen: stand in for systemd's notification socket in tests: bind a
 * datagram socket at PATH and print what arrives, one message a line, for at
 * most SECONDS. */
#include <glib.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	gint64 end;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof sa.sun_path) {
		fprintf(stderr, "usage: notify_listen PATH SECONDS\n");
		return 64;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		perror("notify_listen");
		return 1;
	}
	end = g_get_monotonic_time() + atoi(argv[2]) * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 100) == 1) {
			ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
			if (n > 0) {
				buf[n] = '\0';
				for (char *c = buf; *c; c++)
					if (*c == '\n')
						*c = ' ';
				printf("%s\n", buf);
				fflush(stdout);
			}
		}
	}
	return 0;
}
