"""`python run.py` serves the app for development; `gunicorn run:app` in production. The
`flask` command (FLASK_APP=run.py) also gets `flask bench ...` from bench/ (issue 13)."""
from app import create_app
from bench.seed import cli as bench_cli

app = create_app()
app.cli.add_command(bench_cli)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000)
