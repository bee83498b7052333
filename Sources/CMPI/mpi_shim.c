// Thin C layer over Open MPI's C API, resolved with dlopen/dlsym (Open MPI ABI: handles are the addresses of its
// predefined objects, MPI_IN_PLACE is (void *)1).
#include "mpi_shim.h"
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

typedef void *handle_t;
#define IN_PLACE ((void *)1)
enum { THREAD_SERIALIZED = 2 };

static void *lib;
static handle_t comm_world, type_float, type_double, type_byte, type_int64, op_sum, op_max;
static int (*p_init_thread)(int *, char ***, int, int *);
static int (*p_initialized)(int *);
static int (*p_finalized)(int *);
static int (*p_comm_rank)(handle_t, int *);
static int (*p_comm_size)(handle_t, int *);
static int (*p_allreduce)(const void *, void *, int, handle_t, handle_t, handle_t);
static int (*p_bcast)(void *, int, handle_t, int, handle_t);
static int (*p_allgather)(const void *, int, handle_t, void *, int, handle_t, handle_t);
static int (*p_gatherv)(const void *, int, handle_t, void *, const int *, const int *, handle_t, int, handle_t);
static int (*p_barrier)(handle_t);
static int (*p_finalize)(void);
static int (*p_abort)(handle_t, int);
static int (*p_error_string)(int, char *, int *);

#define RESOLVE(ptr, name)                                                                        \
    do {                                                                                          \
        *(void **)(&ptr) = dlsym(lib, name);                                                      \
        if (!ptr) { snprintf(error, error_size, "%s has no symbol %s", used, name); return -1; } \
    } while (0)

int yolo_mpi_load(const char *library, char *error, size_t error_size) {
    if (lib) return 0;
    const char *candidates[] = {library, "libmpi.so.40", "libmpi.so", NULL};
    const char *used = NULL;
    char first[512] = "";
    for (int i = library ? 0 : 1; candidates[i] && !lib; i++) {
        // RTLD_GLOBAL: Open MPI's plugins resolve symbols of libmpi itself.
        lib = dlopen(candidates[i], RTLD_NOW | RTLD_GLOBAL);
        if (lib) used = candidates[i];
        else if (!first[0]) snprintf(first, sizeof first, "%s", dlerror());
        if (library) break;
    }
    if (!lib) { snprintf(error, error_size, "%s", first); return -1; }
    RESOLVE(p_init_thread, "MPI_Init_thread");
    RESOLVE(p_initialized, "MPI_Initialized");
    RESOLVE(p_finalized, "MPI_Finalized");
    RESOLVE(p_comm_rank, "MPI_Comm_rank");
    RESOLVE(p_comm_size, "MPI_Comm_size");
    RESOLVE(p_allreduce, "MPI_Allreduce");
    RESOLVE(p_bcast, "MPI_Bcast");
    RESOLVE(p_allgather, "MPI_Allgather");
    RESOLVE(p_gatherv, "MPI_Gatherv");
    RESOLVE(p_barrier, "MPI_Barrier");
    RESOLVE(p_finalize, "MPI_Finalize");
    RESOLVE(p_abort, "MPI_Abort");
    RESOLVE(p_error_string, "MPI_Error_string");
    RESOLVE(comm_world, "ompi_mpi_comm_world");
    RESOLVE(type_float, "ompi_mpi_float");
    RESOLVE(type_double, "ompi_mpi_double");
    RESOLVE(type_byte, "ompi_mpi_byte");
    RESOLVE(type_int64, "ompi_mpi_int64_t");
    RESOLVE(op_sum, "ompi_mpi_op_sum");
    RESOLVE(op_max, "ompi_mpi_op_max");
    return 0;
}

int yolo_mpi_init(int *provided) { return p_init_thread(NULL, NULL, THREAD_SERIALIZED, provided); }
int yolo_mpi_initialized(int *flag) { return p_initialized(flag); }
int yolo_mpi_finalized(int *flag) { return p_finalized(flag); }
int yolo_mpi_rank(int *rank) { return p_comm_rank(comm_world, rank); }
int yolo_mpi_size(int *size) { return p_comm_size(comm_world, size); }

static int allreduce_chunks(char *buffer, int64_t count, size_t width, handle_t type, handle_t op) {
    while (count > 0) {
        int n = count > INT_MAX ? INT_MAX : (int)count;
        int rc = p_allreduce(IN_PLACE, buffer, n, type, op, comm_world);
        if (rc) return rc;
        buffer += (size_t)n * width;
        count -= n;
    }
    return 0;
}

int yolo_mpi_allreduce_sum_float(float *buffer, int64_t count) {
    return allreduce_chunks((char *)buffer, count, sizeof(float), type_float, op_sum);
}
int yolo_mpi_allreduce_sum_double(double *buffer, int64_t count) {
    return allreduce_chunks((char *)buffer, count, sizeof(double), type_double, op_sum);
}
int yolo_mpi_allreduce_max_int64(int64_t *buffer, int64_t count) {
    return allreduce_chunks((char *)buffer, count, sizeof(int64_t), type_int64, op_max);
}

int yolo_mpi_bcast(void *buffer, int64_t bytes, int root) {
    char *p = buffer;
    while (bytes > 0) {
        int n = bytes > INT_MAX ? INT_MAX : (int)bytes;
        int rc = p_bcast(p, n, type_byte, root, comm_world);
        if (rc) return rc;
        p += n;
        bytes -= n;
    }
    return 0;
}

int yolo_mpi_allgather_int64(int64_t value, int64_t *values) {
    return p_allgather(&value, 1, type_int64, values, 1, type_int64, comm_world);
}

int yolo_mpi_gatherv(const void *send, int send_bytes, void *receive, const int *counts, const int *displacements,
                     int root) {
    return p_gatherv(send, send_bytes, type_byte, receive, counts, displacements, type_byte, root, comm_world);
}

int yolo_mpi_barrier(void) { return p_barrier(comm_world); }
int yolo_mpi_finalize(void) { return p_finalize(); }
void yolo_mpi_abort(int code) { if (p_abort) p_abort(comm_world, code); }

void yolo_mpi_error_text(int code, char *text, size_t size) {
    char buffer[512];
    int length = 0;
    if (p_error_string && p_error_string(code, buffer, &length) == 0) snprintf(text, size, "%.*s", length, buffer);
    else snprintf(text, size, "MPI error %d", code);
}
