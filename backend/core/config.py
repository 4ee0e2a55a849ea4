"""Application settings: the one place configuration is read.

Every setting comes from the environment or a `.env` file; `.env.example` documents them all.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parents[2]
APP_DB_ROLE = "obelisk_app"
_WEAK_KEYS = {"", "changeme", "change-me", "secret", "development", "test"}


class Settings(BaseSettings):
    """Obelisk settings. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- runtime -------------------------------------------------------------------------
    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    port: int = 3000
    data_dir: Path = ROOT_DIR / ".data"
    app_version: str = "0.1.0"

    # --- database ------------------------------------------------------------------------
    database_url: str | None = Field(
        default=None,
        description="Owner URL used for migrations. Empty: the embedded PostgreSQL in DATA_DIR/pg.",
    )
    database_app_url: str | None = Field(
        default=None,
        description="URL of the non-owner application role. Empty: DATABASE_URL with user obelisk_app.",
    )
    database_app_password: str = ""
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout: float = 30.0
    db_pool_recycle: int = 1800
    db_pool_pre_ping: bool = True
    db_pool_ping_idle_seconds: float = Field(
        default=1.0,
        ge=0,
        description="With DB_POOL_PRE_PING, a pooled connection is pinged before use only when it sat idle this "
        "long (0: before every use). A busy pool's connections are reused within milliseconds: a ping then "
        "costs a round trip per transaction and finds nothing.",
    )
    db_statement_timeout_ms: int = 30_000

    # --- cache and broker -----------------------------------------------------------------
    redis_url: str | None = None
    cache_namespace: str = "obelisk"
    cache_max_mb: int = Field(
        default=256,
        description="Size cap of the in-process content cache (without Redis); security state is kept apart.",
    )

    # --- jobs ----------------------------------------------------------------------------
    run_worker_in_app: bool = True
    worker_concurrency: int = 4
    interactive_worker_concurrency: int = 8
    checkpoint_pool_size: int = Field(
        default=4,
        ge=0,
        description="Idle agent-checkpoint connections a process keeps for the next runs (0: a new one per run).",
    )
    agent_speculative_write: bool = Field(
        default=True,
        description="Start an agent's writing call beside its decision call (its tokens wait until the decision "
        "is to write; cancelled otherwise). Off for the embedded local models.",
    )
    gc_freeze_on_start: bool = Field(
        default=True,
        description="Freeze the objects alive once a process has started (gc.freeze): the garbage collector's full "
        "passes then skip them (135-150 ms a pass otherwise, in the middle of a streaming answer).",
    )
    run_early_search: bool = Field(
        default=True,
        description="Start a run's first search when the run is accepted, when this process's own job worker will "
        "execute it (the turn takes it instead of searching again).",
    )
    run_events_retention_days: int = Field(
        default=30,
        ge=0,
        description="After this many days a finished run's token events are folded into a few (0: never).",
    )
    embed_batch_max_texts: int = Field(
        default=64,
        description="Most texts in one embedding call during ingestion (chunks of several documents share a call).",
    )
    embed_batch_wait_ms: float = Field(
        default=5.0,
        description="How long an ingestion embedding call waits for other documents' chunks to join it.",
    )
    job_stalled_after_seconds: float = Field(
        default=30.0,
        description="A running job whose worker sent no heartbeat for this long is put back in the queue.",
    )

    # --- secrets -------------------------------------------------------------------------
    master_key: str | None = Field(
        default=None,
        description="Base64 32-byte key for encrypting secrets at rest. Generated in dev.",
    )

    # --- auth ----------------------------------------------------------------------------
    jwt_issuer: str = "obelisk"
    jwt_audience: str = "obelisk-api"
    access_token_ttl_minutes: int = 24 * 60
    key_rotation_days: int = 90
    key_backend: Literal["database", "gcp_secret_manager"] = "database"
    gcp_secret_prefix: str = "obelisk-jwt"  # noqa: S105 (a name prefix, not a secret)
    login_max_failures: int = 5
    login_window_seconds: int = 900
    public_base_url: str = "http://localhost:3000"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "obelisk@localhost"
    smtp_ca_file: str | None = Field(
        default=None, description="CA bundle to verify the SMTP server's certificate with (empty: the system's)."
    )
    login_ip_max_failures: int = Field(
        default=50, description="Failed log-ins from one client address within the window before it is throttled."
    )
    signup_max_failures: int = Field(
        default=10,
        description="Sign-ups from one client address that may fail (e.g. the address already has an account) "
        "within SIGNUP_WINDOW_SECONDS before that address must wait: caps probing which addresses are registered.",
    )
    signup_window_seconds: int = Field(default=3600, description="The window SIGNUP_MAX_FAILURES is counted over.")
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of our reverse proxies; X-Forwarded-For is believed "
        "only from them.",
    )
    invitation_ttl_days: int = 7
    email_verification_ttl_days: int = Field(
        default=7, description="Days the address-verification link mailed after sign-up stays valid."
    )
    space_context_ttl_seconds: int = Field(
        default=300, description="How long a resolved SpaceContext (membership, space settings) is cached."
    )
    key_refresh_seconds: float = Field(
        default=30.0, description="How often a process re-reads the signing keys to notice other processes' rotations."
    )
    gcp_secret_project: str | None = Field(
        default=None, description="Project of the Secret Manager holding signing keys. Empty: VERTEX_PROJECT."
    )
    gcp_secret_manager_url: str = Field(
        default="https://secretmanager.googleapis.com/v1", description="Base URL of the Secret Manager REST API."
    )

    # --- models --------------------------------------------------------------------------
    chat_provider: Literal["auto", "vertex", "openai_compatible", "local", "fake"] = "auto"
    embedding_provider: Literal["auto", "vertex", "openai_compatible", "local", "fake"] = "auto"
    vertex_project: str | None = None
    vertex_location: str = "us-central1"
    vertex_chat_model: str = "gemini-2.5-pro"
    vertex_fast_model: str = "gemini-2.5-flash"
    vertex_embedding_model: str = "gemini-embedding-001"
    vertex_embedding_dimensions: int = 768
    vertex_multimodal_dimensions: Literal[128, 256, 512, 1408] = Field(
        default=1408,
        description="Length of the Vertex multimodal (image) embeddings that make pictures searchable; "
        "fixed when the database is migrated.",
    )
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    openai_chat_model: str = "gpt-4o-mini"
    openai_fast_model: str | None = None
    openai_embedding_model: str = "text-embedding-3-small"
    openai_embedding_dimensions: int | None = None
    models_dir: Path | None = None
    local_main_model: Literal["qwen2.5-coder-1.5b", "smollm2-135m"] = "qwen2.5-coder-1.5b"
    local_main_gguf: Path | None = None
    local_fast_gguf: Path | None = None
    local_ctx_size: int = 4096
    local_threads: int = 2
    local_parallel_slots: int = 2
    model_timeout_seconds: float = 120.0
    model_max_retries: int = 2
    circuit_breaker_failures: int = 5
    circuit_breaker_reset_seconds: float = 30.0
    warm_models_on_start: bool = True
    local_prompt_cache_mib: int = Field(
        default=1024,
        description="Host-RAM cache of prompts evicted from llama.cpp slots, restored instead of recomputed.",
    )
    local_main_gguf_sha256: str | None = Field(
        default=None, description="Expected sha256 of LOCAL_MAIN_GGUF; when set, a mismatching file is refused."
    )
    vertex_api_endpoint: str | None = Field(
        default=None, description="Base URL of the Vertex AI REST API. Empty: the regional endpoint of VERTEX_LOCATION."
    )
    openai_embedding_max_input_tokens: int = Field(
        default=512, description="Input limit of the OpenAI-compatible embedding model, in its tokens."
    )
    model_retry_base_seconds: float = 0.5
    model_retry_max_seconds: float = 8.0
    fake_chat_stream_pause_seconds: float = Field(
        default=0.0,
        ge=0.0,
        le=5.0,
        description="Tests only (CHAT_PROVIDER=fake): pause between the streamed words of the fake chat model, "
        "so a browser test can reload or stop mid-answer.",
    )

    # --- documents -----------------------------------------------------------------------
    max_upload_mb: int = 50
    max_pages: int = 500
    max_uncompressed_mb: int = 500
    max_compression_ratio: int = 100
    max_spreadsheet_cells: int = Field(
        default=200_000,
        description="Filled cells a spreadsheet may have (conversion holds a few kilobytes of memory per cell).",
    )
    conversion_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Time limit of converting one Markdown file, in its own process (a pathological file is "
        "stopped with a clear error instead of holding a worker).",
    )
    url_fetch_timeout_seconds: float = 10.0
    url_max_bytes: int = 10 * 1024 * 1024
    url_max_redirects: int = 5
    allow_private_urls: bool = False
    pdf_pipeline: Literal["native", "layout"] = "native"
    chunk_overlap_tokens: int = 32
    storage_backend: Literal["local", "gcs"] = "local"
    gcs_bucket: str | None = None

    # --- retrieval -----------------------------------------------------------------------
    query_enhancement: bool | None = Field(
        default=None,
        description="Rewrite search queries with the fast model unless a search says otherwise. Empty: on with a "
        "remote fast model (Vertex AI, OpenAI-compatible), off with the local one (it cannot answer within "
        "QUERY_ENHANCEMENT_TIMEOUT_MS on a CPU).",
    )
    query_enhancement_timeout_ms: int = 800
    retrieval_stream_timeout_ms: int = 2000
    reranker: Literal["weighted", "vertex"] = "weighted"
    query_enhancement_cache_seconds: int = Field(
        default=86_400, description="How long an enhanced query (rewrites, entities) is cached per space and query."
    )
    retrieval_url_timeout_ms: int = Field(
        default=6000, description="Time limit of the URL stream (fetch, convert, embed the pages named in a message)."
    )
    retrieval_url_cache_seconds: int = Field(
        default=3600, description="How long a fetched page's chunks and vectors are cached per space for retrieval."
    )
    retrieval_max_urls: int = Field(default=3, description="At most this many URLs of a message are fetched.")
    search_usage_delay_ms: int = Field(
        default=1000,
        ge=0,
        description="Searches book their model usage this long later, many searches in one write (0: each search "
        "writes its own before it answers).",
    )
    retrieval_hnsw_ef_search: int = Field(
        default=200, description="HNSW candidate list size (pgvector hnsw.ef_search); at least the rows asked for."
    )
    retrieval_exact_scan_max_chunks: int = Field(
        default=2000,
        description="Below this many searchable chunks (space or collection) vectors are compared exactly, no HNSW.",
    )
    retrieval_heading_weight: float = Field(
        default=3.0,
        ge=1.0,
        le=10.0,
        description="In keyword search, a query word in a passage's title or heading path counts this many times "
        "one in its text (BM25F; 1: the same).",
    )
    retrieval_keyword_candidates: int = Field(
        default=300,
        ge=20,
        le=4000,
        description="Keyword search scores at most about this many passages per search, or a tenth of the space's "
        "passages if that is more: those containing the query's rarest words (more: slower, rarely better).",
    )
    retrieval_candidates_per_result: int = Field(
        default=3,
        ge=1,
        le=20,
        description="Candidates each search leg hands to the reranker per result asked for (at least 20, at most 200).",
    )
    retrieval_parallel_queries: int = Field(
        default=4, description="At most this many database queries of one search run at the same time."
    )
    vertex_ranking_model: str = Field(
        default="semantic-ranker-default@latest", description="Vertex AI ranking model used when RERANKER=vertex."
    )

    # --- dashboard -----------------------------------------------------------------------
    dashboard_cache_seconds: int = Field(
        default=30, ge=0, description="How long the dashboard's data is cached per space and date range (0: never)."
    )
    model_prices: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description="Estimated USD per million tokens (input, output) by model name, as JSON; adds to or "
        "replaces the built-in list the dashboard's cost estimate uses.",
    )

    # --- Google Analytics 4 ----------------------------------------------------------------
    google_oauth_client_id: str | None = Field(
        default=None, description="OAuth client id of the Google Cloud app that reads GA4. Empty: GA4 cannot connect."
    )
    google_oauth_client_secret: str | None = Field(default=None, description="That OAuth client's secret.")
    google_oauth_authorize_url: str = Field(
        default="https://accounts.google.com/o/oauth2/v2/auth", description="Google's OAuth2 authorization endpoint."
    )
    google_oauth_token_url: str = Field(
        default="https://oauth2.googleapis.com/token", description="Google's OAuth2 token endpoint (code, refresh)."
    )
    google_oauth_revoke_url: str = Field(
        default="https://oauth2.googleapis.com/revoke", description="Google's OAuth2 token revocation endpoint."
    )
    ga4_data_api_url: str = Field(
        default="https://analyticsdata.googleapis.com/v1beta", description="Base URL of the GA4 Data API (runReport)."
    )
    ga4_admin_api_url: str = Field(
        default="https://analyticsadmin.googleapis.com/v1beta",
        description="Base URL of the GA4 Admin API (account summaries: the properties a user can pick).",
    )
    ga4_report_cache_seconds: int = Field(
        default=300, description="How long a GA4 report is cached per space, property and request."
    )
    ga4_timeout_seconds: float = Field(default=15.0, description="Time limit of one call to Google (OAuth or GA4).")
    ga4_max_concurrent_requests: int = Field(
        default=10,
        ge=1,
        le=10,
        description="GA4 reports of one property running at once, across every process sharing the Redis "
        "(Google allows 10 per property; a call past the limit waits for a free slot).",
    )
    ga4_state_ttl_seconds: int = Field(
        default=600, description="How long a GA4 Connect link stays valid (the OAuth state, used once)."
    )

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return (value if value.is_absolute() else ROOT_DIR / value).resolve()

    @field_validator("query_enhancement", mode="before")
    @classmethod
    def _empty_is_default(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxies(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                ipaddress.ip_network(part.strip(), strict=False)
        return value

    @model_validator(mode="after")
    def _refuse_weak_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            key = (self.master_key or "").strip()
            if key.lower() in _WEAK_KEYS or len(_decode_key(key) or b"") < 32:
                raise ValueError(
                    "MASTER_KEY must be set to a random base64-encoded 32-byte key in production "
                    '(generate one with: python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())")'
                )
        return self

    # --- slack ---------------------------------------------------------------------------
    slack_api_url: str = Field(
        default="https://slack.com/api", description="Base URL of Slack's Web API (tests point it at a local fake)."
    )
    slack_client_id: str | None = Field(
        default=None, description="Slack app client id; with SLACK_CLIENT_SECRET it enables the OAuth install flow."
    )
    slack_client_secret: str | None = Field(default=None, description="Slack app client secret (OAuth install flow).")
    slack_signing_secret: str | None = Field(
        default=None, description="The Slack app's signing secret, stored with each space installed through OAuth."
    )
    slack_review_reminder_minutes: int = Field(
        default=240, ge=1, description="A Slack review waiting this many minutes gets a reminder in its thread."
    )

    # --- derived -------------------------------------------------------------------------
    @property
    def uses_embedded_postgres(self) -> bool:
        return not self.database_url

    @property
    def upload_limit_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    def owner_database_url(self) -> str:
        """The URL migrations run with (the schema owner)."""
        if self.database_url:
            return self.database_url
        from backend.core.embedded_pg import embedded_url

        return embedded_url(self.data_dir)

    def app_database_url(self) -> str:
        """The URL of the application role: no table ownership, no BYPASSRLS."""
        if self.database_app_url:
            return self.database_app_url
        return with_user(self.owner_database_url(), APP_DB_ROLE, self.database_app_password or None)

    def master_key_bytes(self) -> bytes:
        """The 32-byte master key; in development it is generated once into the data dir."""
        decoded = _decode_key(self.master_key or "")
        if decoded and len(decoded) >= 32:
            return decoded[:32]
        if self.environment == "production":
            raise RuntimeError("MASTER_KEY is missing or weak")
        path = self.data_dir / "master.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
            os.chmod(tmp, 0o600)
            tmp.replace(path)
        raw = _decode_key(path.read_text().strip())
        if not raw or len(raw) < 32:
            raise RuntimeError(f"{path.name} in the data dir is not a valid key")
        return raw[:32]


def _decode_key(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True) if value else None
    except ValueError:
        return None


def with_user(url: str, user: str, password: str | None) -> str:
    """Return `url` with its user (and password) replaced; works for socket URLs too."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = quote(user, safe="")
    if password:
        netloc += ":" + quote(password, safe="")
    netloc += "@" + host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def async_url(url: str) -> str:
    """SQLAlchemy URL for psycopg 3 from a libpq-style URL."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def libpq_url(url: str) -> str:
    """libpq URL (for psycopg and procrastinate) from a SQLAlchemy-style URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@lru_cache
def get_settings() -> Settings:
    return Settings()
