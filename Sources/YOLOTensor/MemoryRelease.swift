import CKernels

/// Frees the tensor buffer pool and returns freed heap memory to the operating system (glibc's `malloc_trim`).
/// Training recycles one iteration's activation buffers through the pool; dropping them before a phase with other
/// shapes (validation) keeps the resident set at one phase's peak instead of the sum of both.
public func releaseFreedMemory() {
    BufferPool.shared.drain()
    yk_release_freed_memory()
}
