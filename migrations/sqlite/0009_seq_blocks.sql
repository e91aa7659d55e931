-- For each tenant and each block of 1,024 chain positions, the latest
-- occurred_at of any event up to the end of that block. The free-text index
-- is keyed by chain position, so a search can read its matches newest-
-- ingested first and stop as soon as this bound says no earlier event can
-- still belong on the page (`store::text_walk`), instead of sorting every
-- match of a common word. Sequence numbers only grow, so a block is final
-- once the next one starts and a running maximum is one lookup away.
CREATE TABLE seq_blocks (
    tenant_id  INTEGER NOT NULL,
    block      INTEGER NOT NULL,
    upto       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, block)
) WITHOUT ROWID;

INSERT INTO seq_blocks (tenant_id, block, upto)
SELECT tenant_id, block, MAX(latest) OVER (PARTITION BY tenant_id ORDER BY block)
FROM (
    SELECT tenant_id, seq >> 10 AS block, MAX(occurred_at) AS latest
    FROM events GROUP BY tenant_id, seq >> 10
);

CREATE TRIGGER seq_blocks_insert AFTER INSERT ON events
BEGIN
    INSERT INTO seq_blocks (tenant_id, block, upto)
    VALUES (
        new.tenant_id,
        new.seq >> 10,
        max(new.occurred_at, coalesce(
            (SELECT upto FROM seq_blocks WHERE tenant_id = new.tenant_id AND block = (new.seq >> 10) - 1),
            new.occurred_at))
    )
    ON CONFLICT (tenant_id, block) DO UPDATE SET upto = max(upto, excluded.upto);
END;
