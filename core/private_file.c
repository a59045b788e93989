/* private_file.c: the one way files holding personal data (bundles, reports, certificates,
 * exports, keys) are created: mode 0600 whatever the process's umask. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vax_private_fd(const char *path, int excl)
{
    /* O_NOFOLLOW: a link planted at the name never sends the data elsewhere */
    int fd =
        open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (excl ? O_EXCL : O_TRUNC), 0600);
    if (fd < 0)
        return -1;
    /* open()'s mode is only the most the umask allows; an existing file keeps its own mode */
    if (fchmod(fd, 0600) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

FILE *vax_private_fopen(const char *path)
{
    int fd = vax_private_fd(path, 0);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (fd >= 0 && !f)
        close(fd);
    return f;
}

int vax_private_create(vax_db *db, const char *path, const char *field)
{
    int fd = vax_private_fd(path, 0);
    if (fd < 0)
        return vax_fail(db, VAX_EIO, field, _("Cannot write %s: %s."), path, strerror(errno));
    close(fd);
    return VAX_OK;
}
