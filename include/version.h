/* version.h: the release, shown by --version of both programs. */
#ifndef SQUEEZERD_VERSION_H
#define SQUEEZERD_VERSION_H

#define SQUEEZERD_VERSION "0.9.0"

#endif
