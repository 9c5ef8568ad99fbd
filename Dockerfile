FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cleaner ./cleaner
COPY models ./models
# the fast extra's compiled trees, compiled once here for the image's user (cleaner compile-trees)
RUN pip install --no-cache-dir '.[fast]' && cleaner compile-trees
ENTRYPOINT ["cleaner"]
CMD ["--help"]
