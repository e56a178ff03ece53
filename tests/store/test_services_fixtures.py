"""The shared service fixtures start real servers that answer their wire protocols."""

import urllib.request

import orjson
import sqlalchemy


def test_postgres_url_is_a_real_postgres(postgres_db_url):
    engine = sqlalchemy.create_engine(postgres_db_url)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("CREATE TABLE t (x int)"))
        conn.execute(sqlalchemy.text("INSERT INTO t VALUES (:x)"), [{"x": 1}, {"x": 2}])
        assert conn.execute(sqlalchemy.text("SELECT sum(x) FROM t")).scalar() == 3
        assert "PostgreSQL" in conn.execute(sqlalchemy.text("SELECT version()")).scalar()
    engine.dispose()


def test_noida_answers_elasticsearch_and_kafka(noida):
    with urllib.request.urlopen(noida.es_url, timeout=5) as resp:
        assert orjson.loads(resp.read())["version"]["number"].startswith("8.")
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=noida.kafka_bootstrap)
    try:
        assert isinstance(admin.list_topics(), list)
    finally:
        admin.close()
