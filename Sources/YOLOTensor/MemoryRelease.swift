import CKernels

/// Returns freed heap memory to the operating system (glibc's `malloc_trim`). Training frees an iteration's
/// activations in pieces that glibc keeps in its arenas; trimming before a phase with a different allocation
/// pattern (validation) keeps the resident set at one phase's peak instead of the sum of both.
public func releaseFreedMemory() {
    yk_release_freed_memory()
}
