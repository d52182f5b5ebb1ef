import { RealizeError } from '../../datastore/types/errors.js'

/**
 * Errors of the mount. FsError carries the errno the kernel client sees
 * (ops.ts turns it into the binding's negative constant); MountError is a
 * mount that cannot start or stop, shown to the user by `start` and `status`.
 */

export type Errno = 'ENOENT' | 'EIO' | 'EROFS' | 'EISDIR' | 'ENOTDIR' | 'ENODATA' | 'EINVAL' | 'ENOTSUP' | 'EBADF' | 'EACCES' | 'EEXIST' | 'EPERM' | 'EXDEV' | 'ENOTEMPTY' | 'EBUSY'

export class FsError extends RealizeError {
  constructor (code: string, readonly errno: Errno, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

export class FsNotFoundError extends FsError {
  constructor (what: string) {
    super('NOT_FOUND', 'ENOENT', `${what}: no such file or directory`)
  }
}

/** Links and device files: the index holds plain files and directories only. */
export class NoLinksError extends FsError {
  constructor (what: string) {
    super('NO_LINKS', 'EPERM', `${what}: links and special files are not supported on the mount`)
  }
}

/** No peer served the bytes in time: the reader gets EIO, never a hang. */
export class RemoteReadError extends FsError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('REMOTE_READ_FAILED', 'EIO', message, options)
  }
}

export class MountError extends RealizeError {
  constructor (code: 'MOUNT_BUSY' | 'MOUNT_NOT_EMPTY' | 'MOUNT_NOT_A_DIRECTORY' | 'MOUNT_FAILED' | 'UNMOUNT_FAILED' | 'FUSE_UNAVAILABLE', message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}
