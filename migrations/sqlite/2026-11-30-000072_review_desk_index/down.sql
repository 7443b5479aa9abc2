DROP INDEX comments_round_submitted;
