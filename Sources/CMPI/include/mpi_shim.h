#ifndef YOLO_MPI_SHIM_H
#define YOLO_MPI_SHIM_H
#include <stddef.h>
#include <stdint.h>

/* Open MPI, loaded at run time (dlopen) so the yolo binary runs without it and needs no MPI headers to build.
   Every call returns an MPI error code (0 = success); yolo_mpi_error_text turns one into Open MPI's message. */

/// Loads libmpi (`library`, or libmpi.so.40 / libmpi.so when NULL) and resolves the calls used here.
/// Returns 0, or -1 with a message in `error`.
int yolo_mpi_load(const char *library, char *error, size_t error_size);
/// MPI_Init_thread with MPI_THREAD_SERIALIZED; `provided` gets the level the library granted.
int yolo_mpi_init(int *provided);
int yolo_mpi_initialized(int *flag);
int yolo_mpi_rank(int *rank);
int yolo_mpi_size(int *size);
/// In-place sum over all ranks, in chunks of at most INT_MAX elements.
int yolo_mpi_allreduce_sum_float(float *buffer, int64_t count);
int yolo_mpi_allreduce_sum_double(double *buffer, int64_t count);
int yolo_mpi_allreduce_max_int64(int64_t *buffer, int64_t count);
int yolo_mpi_bcast(void *buffer, int64_t bytes, int root);
/// Every rank sends `bytes` bytes; `counts` (size entries) gets each rank's byte count on every rank.
int yolo_mpi_allgather_int64(int64_t value, int64_t *values);
/// Rank `root` receives each rank's bytes at `displacements` (bytes) of `receive`; others pass NULL.
int yolo_mpi_gatherv(const void *send, int send_bytes, void *receive, const int *counts, const int *displacements, int root);
int yolo_mpi_barrier(void);
int yolo_mpi_finalize(void);
int yolo_mpi_finalized(int *flag);
void yolo_mpi_abort(int code);
/// Open MPI's text for an error code, into `text`.
void yolo_mpi_error_text(int code, char *text, size_t size);

#endif
