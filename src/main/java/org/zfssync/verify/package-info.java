/**
 * {@code zfs-sync verify}: compares a source and its replica without changing either. The
 * comparison of two listings ({@link org.zfssync.verify.Comparison}) and of two content listings
 * ({@link org.zfssync.verify.ContentListing}) is pure; {@link org.zfssync.verify.Verification}
 * reads the hosts and {@link org.zfssync.verify.DeepCheck} hashes the data on each host.
 */
package org.zfssync.verify;
