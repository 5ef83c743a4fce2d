package org.zfssync.replication;

import org.zfssync.host.Pipeline;

/** The two halves of one stream: what runs on the sending host and what runs on the receiving host. */
public record TransferPipeline(Pipeline sender, Pipeline receiver) {
}
